"""API keys: hashing, constant-time matching, configuration, and the key-making command."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from app.cli import cli
from app.domain.keys import ApiKeys, Principal, bearer_token, hash_key, new_api_key
from app.settings import Settings

KEY = "k3y-for-tests"


def test_hash_is_sha256_hex() -> None:
    assert hash_key(KEY) == hashlib.sha256(KEY.encode()).hexdigest()


def test_new_keys_are_random_and_match_their_hash() -> None:
    keys = {new_api_key() for _ in range(20)}
    assert len(keys) == 20
    for key, key_hash in keys:
        assert len(key) >= 43 and hash_key(key) == key_hash


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (f"Bearer {KEY}", KEY),
        (f"bearer {KEY}", KEY),
        (f"  BEARER   {KEY}  ", KEY),
        ("Bearer", None),
        ("Bearer   ", None),
        (f"Basic {KEY}", None),
        (KEY, None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_authenticate() -> None:
    keys = ApiKeys([hash_key("other"), hash_key(KEY).upper()])
    assert keys.authenticate(f"Bearer {KEY}") == Principal(key_id=hash_key(KEY)[:12])
    assert keys.authenticate("Bearer other") == Principal(key_id=hash_key("other")[:12])
    assert keys.authenticate("Bearer wrong") is None
    assert keys.authenticate(f"Bearer {hash_key(KEY)}") is None
    assert keys.authenticate(None) is None
    assert ApiKeys([]).authenticate(f"Bearer {KEY}") is None


def test_principal_names_the_key_without_revealing_it() -> None:
    principal = ApiKeys([hash_key(KEY)]).authenticate(f"Bearer {KEY}")
    assert principal is not None and KEY not in repr(principal)


def test_settings_read_comma_separated_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = hash_key("a"), hash_key("b")
    monkeypatch.setenv("TRENDGRAPH_API_KEY_HASHES", f" {first.upper()} ,{second},")
    assert Settings().api_key_hashes == (first, second)
    monkeypatch.setenv("TRENDGRAPH_API_KEY_HASHES", "")
    assert Settings().api_key_hashes == ()


@pytest.mark.parametrize("value", ["not-a-hash", "abc123", hash_key("a") + "0", "g" * 64])
def test_settings_refuse_what_is_not_a_sha256_hex(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("TRENDGRAPH_API_KEY_HASHES", f"{hash_key('a')},{value}")
    with pytest.raises(ValidationError, match="api_key_hashes"):
        Settings()


def test_new_api_key_command() -> None:
    result = CliRunner().invoke(cli, ["new-api-key"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    key, key_hash = lines["key"].strip(), lines["hash"].strip()
    assert hash_key(key) == key_hash
    assert len(key_hash) == 64
