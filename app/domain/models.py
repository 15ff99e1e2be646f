"""Domain objects: what a trend and a category are, independent of storage and of GraphQL.

Field names are snake_case in Python and camelCase in MongoDB and in seed files
(``alias_generator``), so one model validates a seed file, maps a stored document and
feeds a GraphQL type.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel

from app.domain.forecasting import Outlook

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=SLUG_PATTERN)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _to_milliseconds(value: datetime) -> datetime:
    """BSON dates keep milliseconds: finer precision would make every reload a change."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


StoredDatetime = Annotated[AwareDatetime, AfterValidator(_to_milliseconds)]
ShortText = Annotated[str, StringConstraints(max_length=200), AfterValidator(_not_blank)]
LongText = Annotated[str, StringConstraints(max_length=5_000), AfterValidator(_not_blank)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=SLUG_PATTERN)]


class GrowthWindowKey(StrEnum):
    """A growth window; declaration order is shortest first."""

    THREE_MONTHS = "THREE_MONTHS"
    SIX_MONTHS = "SIX_MONTHS"
    ONE_YEAR = "ONE_YEAR"
    TWO_YEARS = "TWO_YEARS"
    FIVE_YEARS = "FIVE_YEARS"

    @property
    def label(self) -> str:
        return _WINDOW_LABELS[self]

    @property
    def months(self) -> int:
        return _WINDOW_MONTHS[self]


_WINDOW_LABELS = {
    GrowthWindowKey.THREE_MONTHS: "3mo",
    GrowthWindowKey.SIX_MONTHS: "6mo",
    GrowthWindowKey.ONE_YEAR: "1y",
    GrowthWindowKey.TWO_YEARS: "2y",
    GrowthWindowKey.FIVE_YEARS: "5y",
}
_WINDOW_MONTHS = {
    GrowthWindowKey.THREE_MONTHS: 3,
    GrowthWindowKey.SIX_MONTHS: 6,
    GrowthWindowKey.ONE_YEAR: 12,
    GrowthWindowKey.TWO_YEARS: 24,
    GrowthWindowKey.FIVE_YEARS: 60,
}


_WINDOWS_SHORTEST_FIRST = tuple(GrowthWindowKey)
"""The windows in declaration order (iterating the enum class itself is slower)."""


class GrowthMethod(StrEnum):
    """How a growth figure was obtained."""

    REPORTED = "REPORTED"
    """Given by a source as is (seed files, imports)."""
    MONTHLY_MEAN_RATIO = "MONTHLY_MEAN_RATIO"
    """Computed from the trend's series by :func:`app.domain.growth.compute_growth`."""


class TrendStatus(StrEnum):
    """Where a trend stands in its life cycle."""

    EXPLODING = "EXPLODING"
    REGULAR = "REGULAR"
    PEAKED = "PEAKED"
    DECLINING = "DECLINING"


FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
"""A float that is neither infinite nor NaN (checked in pydantic-core, not in Python)."""


class DomainModel(BaseModel):
    """Base: camelCase on the wire and in storage, snake_case in Python, unknown keys refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )


class GrowthWindow(DomainModel):
    """Growth over one window: ``percent`` is the change from the window's start to its end."""

    window: GrowthWindowKey
    percent: FiniteFloat
    method: GrowthMethod = GrowthMethod.REPORTED
    start_value: FiniteFloat | None = None
    end_value: FiniteFloat | None = None

    @property
    def label(self) -> str:
        """The window's short form ("3mo", "1y"...)."""
        return self.window.label


class Provenance(DomainModel):
    """Where an analysis came from."""

    source: ShortText
    generated_at: StoredDatetime | None = None


class TrendDecomposition(Provenance):
    trigger: LongText
    behavior_change: LongText
    enabler: LongText
    constraint_removed: LongText


class PestleAnalysis(Provenance):
    political: LongText
    economic: LongText
    social: LongText
    technological: LongText
    legal: LongText
    environmental: LongText


class JobsToBeDone(Provenance):
    problem: LongText
    prior_workaround: LongText
    key_outcome: LongText


class ConsumerTrendCanvas(Provenance):
    basic_need: LongText
    drivers_of_change: LongText
    emerging_consumer_needs: LongText
    new_consumer_expectations: LongText
    inspirations_signals: LongText
    innovations_emerging: LongText


class TrendAnalyses(DomainModel):
    """The four framework analyses; each is complete or absent."""

    decomposition: TrendDecomposition | None = None
    pestle: PestleAnalysis | None = None
    jobs_to_be_done: JobsToBeDone | None = None
    consumer_trend_canvas: ConsumerTrendCanvas | None = None


def _unique_windows(windows: list[GrowthWindow]) -> list[GrowthWindow]:
    seen = [window.window for window in windows]
    duplicates = sorted({key for key in seen if seen.count(key) > 1})
    if duplicates:
        raise ValueError(f"growth windows must be unique; repeated: {', '.join(duplicates)}")
    return sorted(windows, key=lambda growth: list(GrowthWindowKey).index(growth.window))


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class TrendSpec(DomainModel):
    """What a writer supplies for a trend (seed files, and later mutations)."""

    slug: Slug
    name: ShortText
    aliases: Annotated[list[ShortText], AfterValidator(_unique), Field(max_length=20)] = []
    description: LongText | None = None
    category: Slug | None = None
    tags: Annotated[list[Tag], AfterValidator(_unique), Field(max_length=30)] = []
    growth: Annotated[list[GrowthWindow], AfterValidator(_unique_windows), Field(max_length=5)] = []
    status: TrendStatus | None = None
    analyses: TrendAnalyses = TrendAnalyses()
    related: Annotated[list[Slug], AfterValidator(_unique), Field(max_length=50)] = []

    # Field validators (not model validators) so that errors name the field at fault.
    @field_validator("related")
    @classmethod
    def _not_related_to_itself(cls, related: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("slug") in related:
            raise ValueError("a trend cannot be related to itself")
        return related


class ApiTrendSpec(TrendSpec):
    """A trend as the API's writers send it: with growth, the status is derived, so only
    the derived value may be given (a status without growth is editorial). Seed files and
    the repositories take any :class:`TrendSpec`; a status there that disagrees with the
    growth reads as editorial (``app.domain.status.status_source``)."""

    @field_validator("status")
    @classmethod
    def _status_follows_growth(
        cls, status: TrendStatus | None, info: ValidationInfo
    ) -> TrendStatus | None:
        """With growth, the status is derived: only the derived value may be given."""
        from app.domain.status import derive_status  # status rules build on these models

        growth = info.data.get("growth") or []
        if status is None or not growth:
            return status
        derived = derive_status(growth)
        if status != derived:
            raise ValueError(
                f"status is derived from growth (which gives {derived}); leave it out, or "
                "send no growth to set an editorial status"
            )
        return status


class ForecastSummary(DomainModel):
    """What a trend keeps of its primary signal's forecast, to filter and order lists by."""

    model_config = ConfigDict(extra="ignore")

    signal_id: str
    series_version: int
    outlook: Outlook | None = None
    """``None`` when the series could not be forecast (the forecast says why)."""
    growth_percent: float | None = None


class CoMovingTrend(DomainModel):
    """A trend whose primary signal's growth moved like this one's over the last year."""

    model_config = ConfigDict(extra="ignore")

    trend: str
    strength: float
    """The correlation of the two growths, 0.5 to 1 (see :mod:`app.domain.comovement`)."""

    @field_validator("trend", mode="before")
    @classmethod
    def _object_id_to_str(cls, value: Any) -> Any:
        return value if isinstance(value, str) else str(value)


class Trend(DomainModel):
    """A stored trend.

    ``analyses`` and ``updated_at`` are ``None`` only when a read left them out of its
    projection (a read fetches what its query selects); a stored trend without analyses
    has an empty :class:`TrendAnalyses`. Fields with a default hold it when a read left
    them out: a caller reads only the fields its read asked for.
    """

    model_config = ConfigDict(extra="ignore")

    # Factories, not ``[]``/``{}``: pydantic deep-copies a mutable default each time a
    # read left its field out, which reads that follow the selection do for most fields.
    id: str = Field(alias="_id")
    slug: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None
    category: str | None = None
    tags: list[str] = Field(default_factory=list)
    growth: dict[GrowthWindowKey, GrowthWindow] = Field(default_factory=dict)
    status: TrendStatus | None = None
    analyses: TrendAnalyses | None = None
    related: list[str] = Field(default_factory=list)
    co_moving: list[CoMovingTrend] = Field(default_factory=list)
    """Strongest first; stored when the trend's primary signal is written."""
    volume: float | None = None
    """The latest count of the trend's volume signal (:func:`app.domain.signals.volume_key`)."""
    created_at: datetime
    updated_at: datetime | None = None
    version: int = 1
    forecast: ForecastSummary | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _object_id_to_str(cls, value: Any) -> Any:
        return value if isinstance(value, str) else str(value)

    @field_validator("related", mode="before")
    @classmethod
    def _related_ids_to_str(cls, value: Any) -> Any:
        return [item if isinstance(item, str) else str(item) for item in value]

    def growth_windows(self) -> list[GrowthWindow]:
        """The growth windows present, shortest first."""
        growth = self.growth
        return [growth[key] for key in _WINDOWS_SHORTEST_FIRST if key in growth]


class CategorySpec(DomainModel):
    """A node of the category taxonomy."""

    slug: Slug
    name: ShortText
    description: LongText | None = None
    parent: Slug | None = None

    @field_validator("parent")
    @classmethod
    def _not_own_parent(cls, parent: str | None, info: ValidationInfo) -> str | None:
        if parent is not None and parent == info.data.get("slug"):
            raise ValueError("a category cannot be its own parent")
        return parent


class Category(CategorySpec):
    """A stored category."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(alias="_id")

    @field_validator("id", mode="before")
    @classmethod
    def _object_id_to_str(cls, value: Any) -> Any:
        return value if isinstance(value, str) else str(value)


def search_key(text: str) -> str:
    """``text`` folded for matching and sorting: accents stripped, case folded, spaces single."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


def slugify(text: str) -> str:
    """A slug made from ``text`` (``"Async IO"`` -> ``"async-io"``)."""
    return re.sub(r"[^a-z0-9]+", "-", search_key(text)).strip("-")
