"""A trend spec as stored: the content a write stores, merged with the growth computed from
the trend's signals, what a write of it clears, and the errors for references it names that
are not stored. Both write paths (:mod:`app.storage.repositories.trend_writes` and the
batched :mod:`app.storage.repositories.trend_upserts`) build their documents here.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import datetime

from bson import ObjectId

from app.domain.errors import ErrorCode, FieldError
from app.domain.models import (
    GrowthMethod,
    GrowthWindow,
    GrowthWindowKey,
    TrendSpec,
    search_key,
    slugify,
)
from app.domain.search import search_fields
from app.domain.status import derive_status, status_fields
from app.storage.database import Document
from app.storage.repositories.writes import stored_form


def trend_content(spec: TrendSpec, related_ids: Sequence[ObjectId]) -> Document:
    """The stored fields a spec determines (everything but ids, times and version)."""
    document: Document = stored_form(spec.model_dump(by_alias=True, exclude={"growth", "related"}))
    document["growth"] = {
        window.window.value: window.model_dump(by_alias=True) for window in spec.growth
    }
    document["related"] = list(related_ids)
    document["nameKey"] = search_key(spec.name)
    document["aliasSlugs"] = sorted({slugify(alias) for alias in spec.aliases} - {spec.slug})
    document.update(status_fields(spec.status or derive_status(spec.growth)))
    document.update(search_fields(spec.name, spec.aliases, spec.tags, spec.description))
    return document


def new_trend_document(
    spec: TrendSpec, trend_id: ObjectId, related_ids: list[ObjectId], moment: datetime
) -> Document:
    """The document a first insert of ``spec`` stores, for bulk loaders that build many
    documents in memory and insert them in batches."""
    return {
        "_id": trend_id,
        **trend_content(spec, related_ids),
        "createdAt": moment,
        "updatedAt": moment,
        "version": 1,
    }


def computed_growth_document(stored: Document) -> Document:
    """The stored trend's growth computed from its primary signal, by window (empty when it
    has none). Trends whose series was appended before ``computedGrowth`` was stored held
    only computed windows in ``growth``: those are taken as computed."""
    if "computedGrowth" in stored:
        computed: Document = stored["computedGrowth"] or {}
        return computed
    if "seriesVersion" not in stored:
        return {}
    return {
        key: window
        for key, window in (stored.get("growth") or {}).items()
        if window.get("method") != GrowthMethod.REPORTED
    }


def content_for(stored: Document, content: Document, spec: TrendSpec) -> Document:
    """``content`` for ``stored``, which may have a primary signal: per window, the figure
    ``spec`` gives (REPORTED) wins and the computed figures fill the other windows, as
    :func:`app.domain.growth.merge_growth` does on appends; the status follows that growth
    unless ``spec`` gives one."""
    computed = computed_growth_document(stored)
    if not computed:
        return content
    given = content["growth"]
    growth = {
        key.value: given.get(key.value) or computed[key.value]
        for key in GrowthWindowKey
        if key.value in given or key.value in computed
    }
    merged = {**content, "growth": growth}
    if spec.status is None:
        windows = [GrowthWindow.model_validate(window) for window in growth.values()]
        merged.update(status_fields(derive_status(windows)))
    return merged


CLEARABLE = ("aliases", "description", "category", "tags", "related")
"""Top-level fields an input may leave out (growth and analyses are checked per part)."""


def cleared_fields(stored: Document, given: Document) -> tuple[str, ...]:
    """What writing ``given`` (a trend's content, before merging computed growth) over
    ``stored`` clears: fields and analyses the stored trend had and ``given`` leaves out,
    and reported growth windows it no longer gives (computed windows stay)."""
    cleared = [name for name in CLEARABLE if stored.get(name) and not given.get(name)]
    given_growth = given.get("growth") or {}
    cleared += [
        f"growth.{GrowthWindowKey(key).label}"
        for key, window in (stored.get("growth") or {}).items()
        if window.get("method") == GrowthMethod.REPORTED and key not in given_growth
    ]
    given_analyses = given.get("analyses") or {}
    cleared += [
        f"analyses.{name}"
        for name, analysis in (stored.get("analyses") or {}).items()
        if analysis and not given_analyses.get(name)
    ]
    return tuple(cleared)


def unknown_related(spec: TrendSpec, known: Container[str]) -> FieldError | None:
    """The error for the related slugs of ``spec`` not in ``known``, if there are any."""
    missing = [slug for slug in spec.related if slug not in known]
    if not missing:
        return None
    return FieldError(
        ("related", str(spec.related.index(missing[0]))),
        f"no trend has the slug {', '.join(map(repr, missing))}",
        ErrorCode.UNKNOWN_RELATED,
    )


def unknown_category(category: str) -> FieldError:
    """The error for a category slug no category has."""
    return FieldError(
        ("category",), f"no category has the slug {category!r}", ErrorCode.UNKNOWN_CATEGORY
    )
