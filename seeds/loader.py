"""Loading seed files: validate a whole file first, then write it, idempotently.

A seed file is a JSON object with ``categories`` and/or ``trends`` lists, in the camelCase
shape of :class:`app.models.CategorySpec` and :class:`app.models.TrendSpec`. A file with
any fault stops the load before anything of that file is written; the error names the file,
the item (index and slug) and the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from app.database import Database
from app.models import CategorySpec, TrendSpec
from app.repositories import CategoryRepository, TrendRepository
from app.repositories.trends import UpsertReport

DATA_DIR = Path(__file__).parent / "data"
MAX_FILE_BYTES = 64 * 1024 * 1024


def default_seed_files() -> list[Path]:
    """The shipped seed files: the taxonomy first, then every trend file, by name."""
    files = sorted(DATA_DIR.glob("*.json"))
    return sorted(files, key=lambda path: path.name != "taxonomy.json")


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

    @property
    def changed(self) -> bool:
        return any(report.inserted or report.updated for report in (self.categories, self.trends))


def _item_name(raw: Any, kind: str, index: int) -> str:
    try:
        slug = raw[kind][index].get("slug")
    except (KeyError, IndexError, TypeError, AttributeError):
        slug = None
    return f"{kind}[{index}]" + (f" (slug {slug!r})" if isinstance(slug, str) else "")


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


def parse_seed_file(path: Path) -> SeedFile:
    """Read and validate one seed file; :class:`SeedFileError` says what is wrong."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SeedFileError(path, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        raw = orjson.loads(path.read_bytes())
    except OSError as error:
        raise SeedFileError(path, f"cannot read: {error.strerror or error}") from None
    except orjson.JSONDecodeError as error:
        raise SeedFileError(path, f"not valid JSON: {error}") from None
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
        repeated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if repeated:
            raise SeedFileError(path, f"{kind}: slug repeated in the file: {', '.join(repeated)}")
    return seed


async def _check_references(path: Path, seed: SeedFile, database: Database) -> None:
    """Categories and related trends must exist in the database or in the same file."""
    categories = CategoryRepository(database)
    trends = TrendRepository(database)
    own_categories = {category.slug for category in seed.categories}
    wanted = {category.parent for category in seed.categories if category.parent}
    wanted |= {trend.category for trend in seed.trends if trend.category}
    known = own_categories | await categories.existing_slugs(sorted(wanted - own_categories))
    groups: tuple[tuple[str, Sequence[CategorySpec | TrendSpec]], ...] = (
        ("categories", seed.categories),
        ("trends", seed.trends),
    )
    for kind, items in groups:
        for index, item in enumerate(items):
            reference = item.parent if isinstance(item, CategorySpec) else item.category
            if reference and reference not in known:
                field_name = "parent" if isinstance(item, CategorySpec) else "category"
                raise SeedFileError(
                    path,
                    f"{kind}[{index}] (slug {item.slug!r}) field {field_name}: "
                    f"unknown category {reference!r}",
                )
    own_trends = {trend.slug for trend in seed.trends}
    related = {slug for trend in seed.trends for slug in trend.related} - own_trends
    known_trends = own_trends | await trends.existing_slugs(sorted(related))
    for index, trend in enumerate(seed.trends):
        missing = [slug for slug in trend.related if slug not in known_trends]
        if missing:
            raise SeedFileError(
                path,
                f"trends[{index}] (slug {trend.slug!r}) field related: "
                f"unknown trend {', '.join(map(repr, missing))}",
            )


async def load_seed_files(database: Database, paths: Sequence[Path]) -> SeedReport:
    """Load ``paths`` in order, returning what changed.

    Every file is parsed and validated before the first write. A file whose references
    (categories, related trends) cannot be resolved raises :class:`SeedFileError` before
    any write of its own; files before it stay loaded.
    """
    report = SeedReport()
    seeds = [(path, parse_seed_file(path)) for path in paths]  # every file parses, or no write
    for path, seed in seeds:
        await _check_references(path, seed, database)
        category_report = await CategoryRepository(database).upsert(seed.categories)
        trend_report = await TrendRepository(database).upsert(seed.trends)
        report.add(category_report, trend_report)
    return report
