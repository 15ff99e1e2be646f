"""One database server of its own for the fault suite's served APIs (see ``own_database``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.served import own_database


@pytest.fixture(scope="session")
def faults_database_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with own_database(tmp_path_factory.mktemp("faults-db")) as uri:
        yield uri
