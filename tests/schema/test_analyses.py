"""The four framework analyses are defined once, by their domain models: the GraphQL output
types and input types have exactly their fields, and ``READING_FIELDS`` is the Trend type's."""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from strawberry.types.base import get_object_definition

from app.domain import models
from schema import analyses
from schema.mutations import inputs
from schema.trend import READING_FIELDS

KINDS = [
    (models.TrendDecomposition, analyses.TrendDecomposition, inputs.TrendDecompositionInput),
    (models.PestleAnalysis, analyses.PestleAnalysis, inputs.PestleAnalysisInput),
    (models.JobsToBeDone, analyses.JobsToBeDone, inputs.JobsToBeDoneInput),
    (models.ConsumerTrendCanvas, analyses.ConsumerTrendCanvas, inputs.ConsumerTrendCanvasInput),
    (models.TrendAnalyses, analyses.TrendAnalyses, inputs.TrendAnalysesInput),
]


def _fields(strawberry_type: type) -> list[str]:
    return [
        field.python_name for field in get_object_definition(strawberry_type, strict=True).fields
    ]


@pytest.mark.parametrize(("model", "output", "input_type"), KINDS)
def test_graphql_types_have_the_models_fields(
    model: type[BaseModel], output: type, input_type: type
) -> None:
    assert sorted(_fields(output)) == sorted(model.model_fields)
    assert sorted(_fields(input_type)) == sorted(model.model_fields)


def test_every_analysis_of_the_model_is_listed_here() -> None:
    """A fifth analysis added to the model without GraphQL types fails here."""
    listed = {model for model, _, _ in KINDS}
    for name, field in models.TrendAnalyses.model_fields.items():
        assert any(model in listed for model in getattr(field.annotation, "__args__", ())), name


def test_from_model_copies_every_field() -> None:
    pestle = models.PestleAnalysis(
        source="analyst",
        political="p",
        economic="e",
        social="s",
        technological="t",
        legal="l",
        environmental="v",
    )
    converted = analyses.PestleAnalysis.from_model(pestle)
    assert {name: getattr(converted, name) for name in _fields(analyses.PestleAnalysis)} == (
        pestle.model_dump()
    )


def test_reading_fields_are_the_trend_resolvers_that_use_the_context() -> None:
    expected = {"related", "relatedEdges", "series", "seriesSource", "signals", "volume"}
    expected |= {"forecast", "forecastUnavailable"}
    assert expected == READING_FIELDS
