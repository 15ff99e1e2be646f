"""The README's mutation examples run, in order, against the seed data, and succeed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from app.storage.database import Database
from tests.conftest import GraphQLClient


def mutation_examples(readme: Path) -> list[tuple[str, dict[str, Any] | None]]:
    """Each mutation block, with the variables of a ```json block right after it, if any."""
    blocks = re.findall(r"```(\w+)\n(.*?)```", readme.read_text(encoding="utf-8"), re.DOTALL)
    examples: list[tuple[str, dict[str, Any] | None]] = []
    for position, (language, block) in enumerate(blocks):
        if language != "graphql" or not block.lstrip().startswith("mutation"):
            continue
        following = blocks[position + 1] if position + 1 < len(blocks) else ("", "")
        examples.append((block, json.loads(following[1]) if following[0] == "json" else None))
    return examples


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
    assert len(examples) == 9  # eight trend and category writes, one appendSeries
    for example, variables in examples:
        data = await editor.data(example, variables)
        assert user_errors(data) == [], (example, data)
    imported = await seeded.trends.find({"slug": {"$in": ["polars", "duckdb"]}}).to_list()
    assert len(imported) == 2
