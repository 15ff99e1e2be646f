"""What a selection of trends reads: the stored fields its GraphQL fields need, so reads
fetch only those (the trend page, related trends, pages, comparisons and search).

Fenced: ``TRENDGRAPH_READ_SELECTED_FIELDS=false`` reads every field but the search keys;
``trendgraph_trend_reads_of_every_field`` counts the places that fell back to that; a test
runs the same queries both ways and compares the answers.

A GraphQL field of ``Trend`` missing from :data:`TREND_FIELD_READS` (a field added since)
makes the read fetch every field: never less than a resolver needs. The table is checked
against the ``Trend`` type by a test.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.storage.repositories.trends import TrendFields
from schema.context import Info
from schema.selection import selected_names

_NONE: TrendFields = frozenset()
TREND_FIELD_READS: Mapping[str, TrendFields] = {
    "__typename": _NONE,
    # id, slug, name and createdAt have no default in the model: always read.
    "id": _NONE,
    "slug": _NONE,
    "name": _NONE,
    "createdAt": _NONE,
    "updatedAt": frozenset({"updated_at"}),
    "aliases": frozenset({"aliases"}),
    "description": frozenset({"description"}),
    "tags": frozenset({"tags"}),
    "status": frozenset({"status"}),
    "statusSource": frozenset({"status", "growth"}),
    "version": frozenset({"version"}),
    "category": frozenset({"category"}),
    "growth": frozenset({"growth"}),
    "growthFor": frozenset({"growth"}),
    "analyses": frozenset({"analyses"}),
    "series": _NONE,  # by the trend's id
    "seriesSource": _NONE,
    # Links, co-movements, then suggestions by shared tags (and category): related_links.
    "related": frozenset({"related", "co_moving", "category", "tags"}),
    "relatedEdges": frozenset({"related", "co_moving", "category", "tags"}),
    "signals": _NONE,  # by the trend's id
    "forecast": _NONE,  # the primary signal's, by the trend's id
    "forecastUnavailable": _NONE,
    "compared": _NONE,  # set by compareTrends, not read from the trend
    "volume": frozenset({"volume"}),  # kept on the trend (other signals by id)
}
"""For each GraphQL field of ``Trend``: the model fields its resolver reads."""


def trend_fields(info: Info, *path: str) -> TrendFields | None:
    """The model fields the trends selected at ``path`` below the current field need, or
    ``None`` (read them all) when the selection names a field the table does not know.

    Kept per request for each place in the query: a list resolver asks once per item.
    """
    context = info.context
    if not context.settings.read_selected_fields:
        return None
    key = (id(info._raw_info.field_nodes[0]), path)
    cache = context.selection_reads
    if key in cache:
        return cache[key]
    fields: set[str] | None = set()
    for name in selected_names(info, *path):
        reads = TREND_FIELD_READS.get(name)
        if reads is None:
            if context.metrics is not None:
                context.metrics.reads_of_every_field.inc()
            fields = None
            break
        fields |= reads  # type: ignore[operator]
    found = None if fields is None else frozenset(fields)
    cache[key] = found
    return found
