"""docker-compose.yml, Dockerfile and .dockerignore (Docker cannot run here; read them)."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from app.settings import Settings


@pytest.fixture(scope="module")
def compose(repo_root: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((repo_root / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def dockerfile(repo_root: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (repo_root / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    instructions = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def command_words(command: str | list[str]) -> list[str]:
    return command if isinstance(command, list) else shlex.split(command)


INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z_]+)(?::-(?P<default>[^}]*))?\}")


def interpolated(value: str, shell: dict[str, str]) -> str:
    """``value`` as compose interpolates it from the shell or .env (``${NAME:-default}``)."""
    return INTERPOLATION.sub(
        lambda match: shell.get(match["name"]) or match["default"] or "", value
    )


def environment_of(service: dict[str, Any], shell: dict[str, str] | None = None) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {name: interpolated(str(value), shell or {}) for name, value in environment.items()}


def dotenv(path: Path) -> dict[str, str]:
    """NAME=value lines of an env file (comments and blank lines skipped)."""
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def healthcheck_script(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    assert test[0] in ("CMD", "CMD-SHELL")
    return " ".join(test[1:])


def test_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"mongo", "api"}
    assert re.fullmatch(r"mongo:8(\.\d+)*", compose["services"]["mongo"]["image"])
    assert compose["services"]["api"]["build"] in (".", {"context": "."})


def test_mongo_is_a_single_node_replica_set_initiated_by_its_healthcheck(
    compose: dict[str, Any],
) -> None:
    mongo = compose["services"]["mongo"]
    words = command_words(mongo["command"])
    assert words[0] == "mongod"
    replica_set = words[words.index("--replSet") + 1]
    assert "--bind_ip_all" in words

    test = mongo["healthcheck"]["test"]
    assert test[:2] == ["CMD", "mongosh"]
    script = healthcheck_script(mongo)
    # Idempotent: initiate only when rs.status() says there is no replica set yet.
    assert re.search(r"try\s*{\s*rs\.status\(\)\s*}\s*catch", script)
    initiate = re.search(r"rs\.initiate\((.*)\)", script)
    assert initiate is not None
    assert f'_id: "{replica_set}"' in initiate.group(1)
    assert 'host: "mongo:27017"' in initiate.group(1)  # the name the api resolves
    assert "isWritablePrimary" in script  # healthy only once writes are accepted
    assert "$" not in script  # compose would interpolate it


def test_mongo_data_lives_in_named_volumes(compose: dict[str, Any]) -> None:
    mounts = dict(mount.split(":", 1)[::-1] for mount in compose["services"]["mongo"]["volumes"])
    declared = set(compose["volumes"])
    assert mounts["/data/db"] in declared
    assert mounts["/data/configdb"] in declared  # the replica set config survives too


def test_api_points_at_the_replica_set(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    uri = urlsplit(environment_of(api)["TRENDGRAPH_MONGODB_URI"])
    mongo_words = command_words(compose["services"]["mongo"]["command"])
    assert uri.scheme == "mongodb"
    assert uri.hostname == "mongo"
    assert parse_qs(uri.query)["replicaSet"] == [mongo_words[mongo_words.index("--replSet") + 1]]
    assert api["depends_on"] == {"mongo": {"condition": "service_healthy"}}
    assert "8000:8000" in api["ports"]


def test_api_variables_are_settings(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = environment_of(compose["services"]["api"])
    assert variables
    for name in list(os.environ):
        if name.upper().startswith("TRENDGRAPH_"):
            monkeypatch.delenv(name)
    for name, value in variables.items():
        assert name.startswith("TRENDGRAPH_")
        field = name.removeprefix("TRENDGRAPH_").lower()
        assert field in Settings.model_fields, f"{name} is not a setting"
        monkeypatch.setenv(name, value)
    settings = Settings()  # and every value is valid, read as the container reads it
    assert settings.mongodb_uri == variables["TRENDGRAPH_MONGODB_URI"]


def test_api_healthcheck_asks_readyz_with_python(compose: dict[str, Any]) -> None:
    test = compose["services"]["api"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:8000/readyz" in test[3]
    compile(test[3], "<healthcheck>", "exec")  # valid Python


def test_dockerfile_runs_serve_as_a_non_root_user(dockerfile: list[tuple[str, str]]) -> None:
    keywords = [keyword for keyword, _ in dockerfile]
    assert dockerfile[0] == ("FROM", "python:3.12-slim")
    run_lines = [arguments for keyword, arguments in dockerfile if keyword == "RUN"]
    # Every package from the runtime lock, by hash; then the project alone.
    assert any(
        "--require-hashes" in line and "requirements/runtime.lock" in line for line in run_lines
    )
    assert any(
        re.search(r"\bpip install --no-deps --no-build-isolation \.(\s|$)", line)
        for line in run_lines
    )

    user = [arguments for keyword, arguments in dockerfile if keyword == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")

    (cmd,) = [arguments for keyword, arguments in dockerfile if keyword == "CMD"]
    words = json.loads(cmd)  # exec form: SIGTERM reaches python, not a shell
    assert words[:4] == ["python", "-m", "app", "serve"]
    assert words[words.index("--host") + 1] == "0.0.0.0"
    assert words[words.index("--port") + 1] == "8000"
    assert "--no-seed" in words  # a production image never loads the demo dataset


def test_the_build_context_holds_what_the_dockerfile_copies(
    repo_root: Path, dockerfile: list[tuple[str, str]]
) -> None:
    patterns = [
        line.strip()
        for line in (repo_root / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def included(path: str) -> bool:
        verdict = True
        for pattern in patterns:
            negated = pattern.startswith("!")
            bare = pattern.removeprefix("!").rstrip("/")
            if fnmatch.fnmatch(path, bare) or path.startswith(f"{bare}/"):
                verdict = negated
        return verdict

    copied = [
        source
        for keyword, arguments in dockerfile
        if keyword == "COPY"
        for source in arguments.split()[:-1]
    ]
    assert copied
    for source in copied:
        assert (repo_root / source).exists(), source
        assert included(source), f"{source} is excluded by .dockerignore"
    for private in (".venv", ".git", "data", "tests", ".env"):
        assert not included(private), f"{private} would be sent to the build"


def test_api_keys_and_settings_come_from_the_environment_or_dotenv(
    compose: dict[str, Any], repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = compose["services"]["api"]
    assert {"path": ".env", "required": False} in api["env_file"]
    key_hash = "ab" * 32
    shell = {"TRENDGRAPH_API_KEY_HASHES": key_hash, "TRENDGRAPH_DATABASE": "from_env"}
    variables = environment_of(api, shell)
    assert variables["TRENDGRAPH_API_KEY_HASHES"] == key_hash
    assert variables["TRENDGRAPH_DATABASE"] == "from_env"
    for name in list(os.environ):
        if name.upper().startswith("TRENDGRAPH_"):
            monkeypatch.delenv(name)
    # The example .env holds only settings, and valid ones, as the container reads them.
    example = dotenv(repo_root / ".env.example")
    assert "TRENDGRAPH_API_KEY_HASHES" in example
    for name, value in {**example, **environment_of(api, example)}.items():
        assert name.removeprefix("TRENDGRAPH_").lower() in Settings.model_fields, name
        monkeypatch.setenv(name, value)
    assert Settings().api_key_hashes == ()


def test_dotenv_stays_out_of_git(repo_root: Path) -> None:
    ignored = (repo_root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
