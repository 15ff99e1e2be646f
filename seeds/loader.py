"""Loading seed files: validate a whole file first, then write it, idempotently.

A seed file is a JSON object with ``categories`` and/or ``trends`` lists, in the camelCase
shape of :class:`app.domain.models.CategorySpec` and :class:`app.domain.models.TrendSpec`.
The rule for bad files, the same in both seeding modes (directly and ``--via-api``): every
file is read and validated, and every reference resolved, before the first write; a file
with any fault stops the load, nothing of any file is written, and the error names the file,
the item (index and slug) and the field.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from app.domain.models import CategorySpec, TrendSpec
from app.storage.database import Database
from app.storage.repositories import CategoryRepository, TrendRepository
from app.storage.repositories.category_writes import CategoryWriter
from app.storage.repositories.trend_writes import TrendWriter
from app.storage.repositories.writes import UpsertReport

DATA_DIR = Path(__file__).parent / "data"
MAX_FILE_BYTES = 64 * 1024 * 1024


def taxonomy_file() -> Path:
    """The shipped taxonomy (every category the seeds and the synthetic trends use)."""
    return DATA_DIR / "taxonomy.json"


def default_seed_files() -> list[Path]:
    """The shipped seed files: the taxonomy first, then every trend file, by name."""
    files = sorted(DATA_DIR.glob("*.json"))
    return sorted(files, key=lambda path: path != taxonomy_file())


class SeedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    categories: list[CategorySpec] = []
    trends: list[TrendSpec] = []


class SeedFileError(ValueError):
    """A seed file that cannot be loaded; nothing of it was written."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


@dataclass
class SeedReport:
    """Counts of what a load did, per kind of item."""

    categories: UpsertReport = field(default_factory=UpsertReport)
    trends: UpsertReport = field(default_factory=UpsertReport)

    def add(self, categories: UpsertReport, trends: UpsertReport) -> None:
        for mine, theirs in ((self.categories, categories), (self.trends, trends)):
            mine.inserted += theirs.inserted
            mine.updated += theirs.updated
            mine.unchanged += theirs.unchanged
            mine.failed += theirs.failed
            mine.cleared.update(theirs.cleared)

    @property
    def failed(self) -> bool:
        return bool(self.categories.failed or self.trends.failed)

    @property
    def changed(self) -> bool:
        return any(report.inserted or report.updated for report in (self.categories, self.trends))


def _item(kind: str, index: int, slug: object) -> str:
    return f"{kind}[{index}]" + (f" (slug {slug!r})" if isinstance(slug, str) else "")


def _item_name(raw: Any, kind: str, index: int) -> str:
    try:
        slug = raw[kind][index].get("slug")
    except (KeyError, IndexError, TypeError, AttributeError):
        slug = None
    return _item(kind, index, slug)


def _describe(error: ValidationError, raw: Any) -> str:
    """The first few faults as 'item field: message' lines."""
    lines = []
    for fault in error.errors()[:5]:
        location = list(fault["loc"])
        where = "file"
        if len(location) >= 2 and isinstance(location[1], int):
            kind, index = str(location[0]), location[1]
            where = _item_name(raw, kind, index)
            location = location[2:]
        field_path = ".".join(str(part) for part in location) or "(item)"
        lines.append(f"{where} field {field_path}: {fault['msg']}")
    more = error.error_count() - len(lines)
    return "; ".join(lines) + (f"; and {more} more" if more > 0 else "")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _object_without_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key would silently keep only its last value.
    unique = dict(pairs)
    if len(unique) < len(pairs):
        repeated = sorted(
            key for key, count in Counter(key for key, _ in pairs).items() if count > 1
        )
        raise ValueError(f"key repeated in one object: {', '.join(map(repr, repeated))}")
    return unique


def _read_json(path: Path) -> Any:
    """The JSON value in ``path``: strict JSON, numbers too large for a float become inf.

    ``1e999`` is valid JSON; it reaches validation, which names the field, as infinity.
    ``NaN``/``Infinity`` literals and repeated keys in one object are refused here.
    """
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SeedFileError(path, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        text = path.read_bytes()
    except OSError as error:
        raise SeedFileError(path, f"cannot read: {error.strerror or error}") from None
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            object_pairs_hook=_object_without_repeated_keys,
        )
    except ValueError as error:  # a decode error, a hook's refusal, or bytes not UTF-8/16/32
        raise SeedFileError(path, f"not valid JSON: {error}") from None


def parse_seed_file(path: Path) -> SeedFile:
    """Read and validate one seed file; :class:`SeedFileError` says what is wrong."""
    raw = _read_json(path)
    if not isinstance(raw, dict):
        raise SeedFileError(path, "must hold a JSON object with 'categories' and/or 'trends'")
    try:
        seed = SeedFile.model_validate(raw)
    except ValidationError as error:
        raise SeedFileError(path, _describe(error, raw)) from None
    for kind, slugs in (
        ("categories", [category.slug for category in seed.categories]),
        ("trends", [trend.slug for trend in seed.trends]),
    ):
        first_index: dict[str, int] = {}
        for index, slug in enumerate(slugs):
            if slug in first_index:
                raise SeedFileError(
                    path,
                    f"{_item(kind, index, slug)} field slug: repeated in the file "
                    f"(first at {kind}[{first_index[slug]}])",
                )
            first_index[slug] = index
    return seed


def referenced_slugs(seeds: Sequence[tuple[Path, SeedFile]]) -> tuple[set[str], set[str]]:
    """The category slugs (parents and trends' categories) and the trend slugs (related)
    that the files name."""
    categories = {
        slug
        for _, seed in seeds
        for slug in [category.parent for category in seed.categories]
        + [trend.category for trend in seed.trends]
        if slug
    }
    trends = {slug for _, seed in seeds for trend in seed.trends for slug in trend.related}
    return categories, trends


def check_references(
    seeds: Sequence[tuple[Path, SeedFile]], stored_categories: set[str], stored_trends: set[str]
) -> None:
    """Categories and related trends must be stored already, or be in the file or an earlier
    file (files are written in order); else :class:`SeedFileError` naming the first item at
    fault. Both seeding modes apply this one rule."""
    known_categories, known_trends = set(stored_categories), set(stored_trends)
    for path, seed in seeds:
        known_categories |= {category.slug for category in seed.categories}
        known_trends |= {trend.slug for trend in seed.trends}
        for index, category in enumerate(seed.categories):
            if category.parent and category.parent not in known_categories:
                raise SeedFileError(
                    path,
                    f"{_item('categories', index, category.slug)} field parent: "
                    f"unknown category {category.parent!r}",
                )
        for index, trend in enumerate(seed.trends):
            if trend.category and trend.category not in known_categories:
                raise SeedFileError(
                    path,
                    f"{_item('trends', index, trend.slug)} field category: "
                    f"unknown category {trend.category!r}",
                )
            missing = [slug for slug in trend.related if slug not in known_trends]
            if missing:
                raise SeedFileError(
                    path,
                    f"{_item('trends', index, trend.slug)} field related: "
                    f"unknown trend {', '.join(map(repr, missing))}",
                )


async def _check_references(seeds: Sequence[tuple[Path, SeedFile]], database: Database) -> None:
    """:func:`check_references` against the database."""
    wanted_categories, wanted_trends = referenced_slugs(seeds)
    stored_categories = (
        await CategoryRepository(database).existing_slugs(sorted(wanted_categories))
        if wanted_categories
        else set()
    )
    stored_trends = (
        await TrendRepository(database).existing_slugs(sorted(wanted_trends))
        if wanted_trends
        else set()
    )
    check_references(seeds, stored_categories, stored_trends)


def repeated_across_files(seeds: Sequence[tuple[Path, SeedFile]]) -> list[str]:
    """One line per slug that more than one file gives (the later file's item wins)."""
    first: dict[tuple[str, str], tuple[Path, int]] = {}
    lines = []
    for path, seed in seeds:
        for kind, slugs in (
            ("categories", [category.slug for category in seed.categories]),
            ("trends", [trend.slug for trend in seed.trends]),
        ):
            for index, slug in enumerate(slugs):
                earlier = first.setdefault((kind, slug), (path, index))
                if earlier[0] != path:
                    lines.append(
                        f"{kind} slug {slug!r} is in {earlier[0]} ({kind}[{earlier[1]}]) and "
                        f"again in {path} ({kind}[{index}]): the later file's item wins"
                    )
    return lines


def read_seed_files(paths: Sequence[Path]) -> list[tuple[Path, SeedFile]]:
    """Read and validate every file (no database needed); the first fault raises."""
    return [(path, parse_seed_file(path)) for path in paths]


async def load_seeds(database: Database, seeds: Sequence[tuple[Path, SeedFile]]) -> SeedReport:
    """Write validated seeds in order, once every reference resolves; returns what changed."""
    await _check_references(seeds, database)
    report = SeedReport()
    for _, seed in seeds:
        category_report = UpsertReport.of(await CategoryWriter(database).upsert(seed.categories))
        trend_report = UpsertReport.of(await TrendWriter(database).upsert(seed.trends))
        report.add(category_report, trend_report)
    return report


async def load_seed_files(database: Database, paths: Sequence[Path]) -> SeedReport:
    """Load ``paths`` in order, returning what changed.

    Every file is read and validated, and every reference (categories, related trends)
    resolved, before the first write: one bad file writes nothing of any file.
    """
    return await load_seeds(database, read_seed_files(paths))
