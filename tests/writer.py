"""A GraphQL client whose requests carry an API key, authenticated as the HTTP view does."""

from __future__ import annotations

from app.domain.keys import ApiKeys, hash_key
from app.settings import Settings
from app.storage.database import Database
from tests.conftest import GraphQLClient

API_KEY = "test-writer-key"


def writer(database: Database, settings: Settings, api_key: str | None = API_KEY) -> GraphQLClient:
    """A client sending ``Authorization: Bearer <api_key>`` (no header when ``None``) to a
    service configured to accept :data:`API_KEY`."""
    keys = ApiKeys([hash_key(API_KEY)])
    principal = keys.authenticate(f"Bearer {api_key}") if api_key is not None else None
    return GraphQLClient(database, settings, principal=principal)
