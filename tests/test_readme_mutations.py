"""The README's mutation examples run, in order, against the seed data, and succeed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from app.database import Database
from tests.conftest import GraphQLClient


def mutation_examples(readme: Path) -> list[str]:
    blocks = re.findall(r"```graphql\n(.*?)```", readme.read_text(encoding="utf-8"), re.DOTALL)
    return [block for block in blocks if block.lstrip().startswith("mutation")]


def user_errors(value: Any) -> list[Any]:
    """Every userError anywhere in ``value``, plus FAILED upsert results."""
    found: list[Any] = []
    if isinstance(value, dict):
        if value.get("outcome") == "FAILED":
            found.append(value)
        for key, item in value.items():
            found.extend(item if key == "userErrors" and item else user_errors(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(user_errors(item))
    return found


async def test_every_mutation_example_succeeds(
    seeded: Database, editor: GraphQLClient, repo_root: Path
) -> None:
    examples = mutation_examples(repo_root / "README.md")
    assert len(examples) == 7
    for example in examples:
        data = await editor.data(example)
        assert user_errors(data) == [], (example, data)
