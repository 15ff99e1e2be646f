"""The lock files pin what pyproject.toml declares, with hashes, and nothing more per use."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;]+)(?:\s*;\s*(?P<marker>[^\\]+))?")


def pins(lock: Path) -> dict[str, list[Version]]:
    """Every pinned package and its versions (one per marker) in ``lock``."""
    found: dict[str, list[Version]] = {}
    lines = lock.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if match:
            assert lines[number + 1].lstrip().startswith("--hash=sha256:"), line
            name = canonicalize_name(match["name"])
            found.setdefault(name, []).append(Version(match["version"]))
    return found


def declared(repo_root: Path, *extras: str) -> list[Requirement]:
    project = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return [Requirement(requirement) for requirement in requirements]


@pytest.mark.parametrize(
    ("lock", "extras", "absent"),
    [
        ("runtime.lock", (), ("secantusdb", "pytest", "mypy")),
        ("serve.lock", ("embedded",), ("pytest", "mypy", "ruff")),
        ("dev.lock", ("embedded", "dev"), ()),
    ],
)
def test_each_lock_pins_every_declared_dependency_within_its_range(
    repo_root: Path, lock: str, extras: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    pinned = pins(repo_root / "requirements" / lock)
    for requirement in declared(repo_root, *extras):
        versions = pinned.get(canonicalize_name(requirement.name))
        assert versions, f"{lock} does not pin {requirement.name}"
        for version in versions:
            assert requirement.specifier.contains(version, prereleases=True), (lock, requirement)
    assert "setuptools" in pinned  # the build backend: the project installs offline
    for name in absent:
        assert name not in pinned, f"{lock} should not hold {name}"


@pytest.mark.parametrize("name", ["graphql-core", "strawberry-graphql"])
def test_the_executors_libraries_are_bounded_to_a_tested_minor_version(
    repo_root: Path, name: str
) -> None:
    (requirement,) = [r for r in declared(repo_root) if canonicalize_name(r.name) == name]
    upper = [spec for spec in requirement.specifier if spec.operator == "<"]
    assert upper, f"{name} needs an upper bound: schema/execution.py uses its internals"
    (locked,) = pins(repo_root / "requirements" / "serve.lock")[name]
    assert requirement.specifier.contains(locked)
