"""Principals with the ``alerts`` scope, and trends for them to follow."""

from __future__ import annotations

import pytest

from app.domain.keys import Principal, Scope
from app.settings import Settings
from app.storage.database import Database
from tests.conftest import GraphQLClient
from tests.factories import make_trends

ALERT_SCOPES = frozenset({Scope.READ, Scope.ALERTS})


@pytest.fixture
async def trends(database: Database) -> Database:
    """Twelve trends ``t-00``..``t-11`` in categories tech, food and ai."""
    await make_trends(database, 12)
    return database


@pytest.fixture
def analyst(trends: Database, settings: Settings) -> GraphQLClient:
    """A key holding the ``alerts`` scope."""
    principal = Principal(key_id="analyst-a", name="analyst-a", scopes=ALERT_SCOPES)
    return GraphQLClient(trends, settings, principal=principal)


@pytest.fixture
def other_analyst(trends: Database, settings: Settings) -> GraphQLClient:
    """Another key holding the ``alerts`` scope: it must see nothing of ``analyst``'s."""
    principal = Principal(key_id="analyst-b", name="analyst-b", scopes=ALERT_SCOPES)
    return GraphQLClient(trends, settings, principal=principal)
