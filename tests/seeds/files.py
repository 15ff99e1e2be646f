"""Seed files for tests: a small valid file, and ways to write variations of it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

Json = dict[str, Any]

PESTLE = {
    "source": "test",
    "political": "p",
    "economic": "e",
    "social": "s",
    "technological": "t",
    "legal": "l",
    "environmental": "v",
}


def trend(slug: str, **fields: Any) -> Json:
    """A valid trend in seed-file shape; ``fields`` replace or add keys."""
    return {
        "slug": slug,
        "name": slug.replace("-", " ").title(),
        "category": "tools",
        "growth": [
            {"window": "THREE_MONTHS", "percent": 10},
            {"window": "ONE_YEAR", "percent": 20},
        ],
        "analyses": {"pestle": dict(PESTLE)},
        **fields,
    }


def seed_file() -> Json:
    """One category and two trends, the second related to the first."""
    return copy.deepcopy(
        {
            "categories": [{"slug": "tools", "name": "Tools"}],
            "trends": [trend("good"), trend("broken", related=["good"])],
        }
    )


def write_json(path: Path, content: Any) -> Path:
    path.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return path
