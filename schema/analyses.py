"""The four framework analyses of a trend."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry.types.base import get_object_definition

from app.domain import models


@strawberry.interface(description="Where an analysis came from.")
class Provenance:
    source: str = strawberry.field(description="Who or what produced the analysis.")
    generated_at: datetime | None = strawberry.field(
        description="When the analysis was produced, if known."
    )

    @classmethod
    def from_model(cls, model: models.Provenance) -> Self:
        """The analysis ``model`` (its domain model, :mod:`app.domain.models`, is the one
        definition of its fields: ``tests/schema/test_analyses.py`` keeps this type and its
        input in step with it)."""
        names = [field.python_name for field in get_object_definition(cls, strict=True).fields]
        return cls(**{name: getattr(model, name) for name in names})


@strawberry.type(description="Trend Decomposition: what set the trend off and what it changes.")
class TrendDecomposition(Provenance):
    trigger: str = strawberry.field(description="What set the trend in motion.")
    behavior_change: str = strawberry.field(
        description="How people behave differently because of it."
    )
    enabler: str = strawberry.field(description="What makes the new behaviour possible.")
    constraint_removed: str = strawberry.field(description="Which former limit no longer applies.")


@strawberry.type(description="PESTLE analysis: the trend's macro-environmental factors.")
class PestleAnalysis(Provenance):
    political: str = strawberry.field(description="Political factors.")
    economic: str = strawberry.field(description="Economic factors.")
    social: str = strawberry.field(description="Social factors.")
    technological: str = strawberry.field(description="Technological factors.")
    legal: str = strawberry.field(description="Legal factors.")
    environmental: str = strawberry.field(description="Environmental factors.")


@strawberry.type(description="Jobs-to-be-done: the job the trend does for the people adopting it.")
class JobsToBeDone(Provenance):
    problem: str = strawberry.field(description="What problem the trend helps solve.")
    prior_workaround: str = strawberry.field(description="The workaround that existed before.")
    key_outcome: str = strawberry.field(description="The outcome that matters most.")


@strawberry.type(
    description="Consumer Trend Canvas: needs, drivers and expectations behind the trend."
)
class ConsumerTrendCanvas(Provenance):
    basic_need: str = strawberry.field(description="The basic need the trend serves.")
    drivers_of_change: str = strawberry.field(description="What drives the change.")
    emerging_consumer_needs: str = strawberry.field(description="Needs that are emerging.")
    new_consumer_expectations: str = strawberry.field(description="Expectations people now hold.")
    inspirations_signals: str = strawberry.field(
        description="Inspirations and signals that show the trend."
    )
    innovations_emerging: str = strawberry.field(description="Innovations emerging around it.")


@strawberry.type(description="The four framework analyses of a trend; each is null when absent.")
class TrendAnalyses:
    decomposition: TrendDecomposition | None = strawberry.field(
        description="Trend Decomposition: trigger, behaviour change, enabler, constraint removed."
    )
    pestle: PestleAnalysis | None = strawberry.field(
        description="PESTLE: political, economic, social, technological, legal, environmental."
    )
    jobs_to_be_done: JobsToBeDone | None = strawberry.field(
        description="Jobs-to-be-done: problem, prior workaround, key outcome."
    )
    consumer_trend_canvas: ConsumerTrendCanvas | None = strawberry.field(
        description="Consumer Trend Canvas: basic need, drivers of change, emerging needs, "
        "new expectations, inspirations and signals, emerging innovations."
    )

    @classmethod
    def from_model(cls, model: models.TrendAnalyses) -> Self:
        decomposition, pestle = model.decomposition, model.pestle
        jobs, canvas = model.jobs_to_be_done, model.consumer_trend_canvas
        return cls(
            decomposition=TrendDecomposition.from_model(decomposition) if decomposition else None,
            pestle=PestleAnalysis.from_model(pestle) if pestle else None,
            jobs_to_be_done=JobsToBeDone.from_model(jobs) if jobs else None,
            consumer_trend_canvas=ConsumerTrendCanvas.from_model(canvas) if canvas else None,
        )
