"""API key hashes: how TRENDGRAPH_API_KEY_HASHES is read, and what a key hashes to."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import ValidationError

from app.auth import key_hash
from app.settings import Settings


def test_key_hash_is_sha256_hex() -> None:
    assert key_hash("secret") == hashlib.sha256(b"secret").hexdigest()


def test_hashes_are_comma_separated_and_lower_cased(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = key_hash("a"), key_hash("b")
    monkeypatch.setenv("TRENDGRAPH_API_KEY_HASHES", f" {first.upper()} ,{second},")
    assert Settings().api_key_hashes == [first, second]


def test_no_hashes_means_no_writers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRENDGRAPH_API_KEY_HASHES", raising=False)
    assert Settings().api_key_hashes == []


@pytest.mark.parametrize("value", ["not-a-hash", "abc123", key_hash("a") + "0"])
def test_malformed_hashes_are_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TRENDGRAPH_API_KEY_HASHES", value)
    with pytest.raises(ValidationError, match="api_key_hashes"):
        Settings()
