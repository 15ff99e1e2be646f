"""API keys: hashing, constant-time matching, configuration, and the key-making command."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from app.cli import cli
from app.domain.keys import (
    LEGACY_SCOPES,
    ApiKeys,
    Principal,
    Scope,
    bearer_token,
    hash_key,
    new_api_key,
    parse_key_entry,
)
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
    key_id, other_id = hash_key(KEY)[:12], hash_key("other")[:12]
    assert keys.authenticate(f"Bearer {KEY}") == Principal(key_id=key_id, name=key_id)
    assert keys.authenticate("Bearer other") == Principal(key_id=other_id, name=other_id)
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


def test_named_keys_carry_their_scopes() -> None:
    analyst_hash, legacy_hash = hash_key("analyst-key"), hash_key(KEY)
    keys = ApiKeys([f"analyst:{analyst_hash}:read+alerts", legacy_hash])
    analyst = keys.authenticate("Bearer analyst-key")
    assert analyst == Principal(
        key_id=analyst_hash[:12], name="analyst", scopes=frozenset({Scope.READ, Scope.ALERTS})
    )
    assert analyst.may(Scope.ALERTS) and not analyst.may(Scope.WRITE)
    legacy = keys.authenticate(f"Bearer {KEY}")
    assert legacy is not None and legacy.scopes == LEGACY_SCOPES
    assert legacy.may(Scope.WRITE) and not legacy.may(Scope.ALERTS)


@pytest.mark.parametrize(
    "entry",
    [
        hash_key("a"),
        f"ops:{hash_key('a')}",
        f"ops:{hash_key('a')}:alerts",
        f"ops_2-x:{hash_key('a')}:read+write+alerts",
        f"{hash_key('a')}:write",
    ],
)
def test_settings_and_domain_accept_the_same_entries(
    monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    monkeypatch.setenv("TRENDGRAPH_API_KEY_HASHES", entry.upper())
    assert Settings().api_key_hashes == (entry,)
    assert parse_key_entry(entry)[0] == hash_key("a")


@pytest.mark.parametrize(
    "entry",
    [
        f"ops:{hash_key('a')}:admin",
        f"ops:{hash_key('a')}:",
        f":{hash_key('a')}",
        f"-ops:{hash_key('a')}:read",
        f"ops:{hash_key('a')}:read+",
        f"{'n' * 41}:{hash_key('a')}",
    ],
)
def test_settings_and_domain_refuse_the_same_entries(
    monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    monkeypatch.setenv("TRENDGRAPH_API_KEY_HASHES", entry)
    with pytest.raises(ValidationError, match="api_key_hashes"):
        Settings()
    with pytest.raises(ValueError, match="is not"):
        parse_key_entry(entry)


def test_new_api_key_command_with_name_and_scopes() -> None:
    result = CliRunner().invoke(
        cli, ["new-api-key", "--name", "analyst", "--scope", "read", "--scope", "alerts"]
    )
    assert result.exit_code == 0, result.output
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    key_hash = lines["hash"].strip()
    assert lines["entry"].strip() == f"analyst:{key_hash}:read+alerts"
    key_hash, principal = parse_key_entry(lines["entry"].strip())
    assert principal.scopes == frozenset({Scope.READ, Scope.ALERTS})
    assert CliRunner().invoke(cli, ["new-api-key", "--name", "Bad Name"]).exit_code == 2
    assert CliRunner().invoke(cli, ["new-api-key", "--scope", "admin"]).exit_code == 2
