"""Deterministic synthetic trends: names, tags, five years of weekly series, analyses, links.

Everything comes from one :class:`random.Random` seeded with ``seed`` and from ``end`` (the
last day of every series), so the same ``count``, ``seed`` and ``end`` give the same trends,
point for point. Each series follows one life-cycle shape (rising fast, steady, risen and
fallen back, shrinking), times a yearly season and multiplicative noise, scaled like a
search-interest index (peak 100). Growth is computed from the series by
:func:`app.domain.growth.compute_growth`; status is derived from it when the trend is written.

Besides that ``search-interest`` index in ``WORLD`` (the primary signal), every trend gets a
``search-volume`` COUNT signal (searches per week: the index times a per-trend audience
size, with its own noise), and one trend in three a ``search-interest`` index in one
country; these come from a second generator seeded with the seed and the slug, so adding
them left the trends themselves as they were.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.domain.growth import compute_growth
from app.domain.models import (
    CategorySpec,
    ConsumerTrendCanvas,
    JobsToBeDone,
    PestleAnalysis,
    TrendAnalyses,
    TrendDecomposition,
    TrendSpec,
    slugify,
)
from app.domain.series import SeriesPoint
from app.domain.signals import SignalKey, SignalUnit
from seeds.synthetic.templates import analysis_texts
from seeds.synthetic.vocabulary import QUALIFIERS, VOCABULARIES

WEEKS = 5 * 52 + 1
SYNTHETIC_SOURCE = "synthetic"
"""Provenance of every generated analysis starts with this word."""
MAX_EXPLICIT_LINKS = 3

Shape = Callable[[float], float]
"""Level of interest at ``t`` in [0, 1] (0: five years ago, 1: ``end``), before noise."""


VOLUME_SOURCE = "search-volume"
COUNTRIES = ("US", "GB", "DE", "IN", "BR", "JP")


@dataclass(frozen=True, slots=True)
class SyntheticSignal:
    key: SignalKey
    unit: SignalUnit
    points: tuple[SeriesPoint, ...]


@dataclass(frozen=True, slots=True)
class SyntheticTrend:
    spec: TrendSpec
    points: tuple[SeriesPoint, ...]
    """The primary signal: ``search-interest`` in ``WORLD``, an index."""
    other_signals: tuple[SyntheticSignal, ...] = ()


def _other_signals(
    seed: int, slug: str, points: tuple[SeriesPoint, ...]
) -> tuple[SyntheticSignal, ...]:
    rng = random.Random(f"{seed}:{slug}")
    audience = 10 ** rng.uniform(2.5, 5.5)  # weekly searches at the index's peak
    volume = tuple(
        SeriesPoint(point.date, float(round(point.value / 100 * audience * rng.gauss(1, 0.05))))
        for point in points
    )
    made = [
        SyntheticSignal(
            SignalKey(VOLUME_SOURCE),
            SignalUnit.COUNT,
            tuple(SeriesPoint(point.date, max(0.0, point.value)) for point in volume),
        )
    ]
    if rng.random() < 1 / 3:
        lag = rng.randint(0, 8)  # the country follows the world a few weeks late
        raw = [
            points[max(0, index - lag)].value * rng.gauss(1, 0.1) for index in range(len(points))
        ]
        peak = max(raw) or 1.0
        country = tuple(
            SeriesPoint(point.date, round(max(0.0, 100 * value / peak), 1))
            for point, value in zip(points, raw, strict=True)
        )
        made.append(
            SyntheticSignal(
                SignalKey("search-interest", rng.choice(COUNTRIES)), SignalUnit.INDEX, country
            )
        )
    return tuple(made)


def _rising(rng: random.Random) -> Shape:
    takeoff, rate = rng.uniform(0.6, 0.85), rng.uniform(4, 9)
    return lambda t: 0.1 + math.exp(rate * max(0.0, t - takeoff)) - 1


def _steady(rng: random.Random) -> Shape:
    slope = rng.uniform(-0.15, 0.4)
    return lambda t: 1 + slope * t


def _peaked(rng: random.Random) -> Shape:
    peak, width = rng.uniform(0.55, 0.85), rng.uniform(0.08, 0.2)
    return lambda t: 0.15 + math.exp(-(((t - peak) / width) ** 2))


def _shrinking(rng: random.Random) -> Shape:
    rate = rng.uniform(0.8, 2.5)
    return lambda t: math.exp(-rate * t)


SHAPES: list[tuple[Callable[[random.Random], Shape], float]] = [
    (_rising, 0.15),
    (_steady, 0.5),
    (_peaked, 0.15),
    (_shrinking, 0.2),
]


def _series(rng: random.Random, end: date) -> tuple[SeriesPoint, ...]:
    makers, weights = zip(*SHAPES, strict=True)
    shape = rng.choices(makers, weights)[0](rng)
    season, phase = rng.uniform(0.0, 0.25), rng.uniform(0, 2 * math.pi)
    noise = rng.uniform(0.03, 0.12)
    start = end - timedelta(weeks=WEEKS - 1)
    raw = []
    for week in range(WEEKS):
        t = week / (WEEKS - 1)
        seasonal = 1 + season * math.sin(2 * math.pi * week / 52.18 + phase)
        raw.append(max(0.0, shape(t) * seasonal * rng.gauss(1, noise)))
    peak = max(raw) or 1.0
    return tuple(
        SeriesPoint(start + timedelta(weeks=week), round(100 * value / peak, 1))
        for week, value in enumerate(raw)
    )


def _unique_name(rng: random.Random, category: str, taken: set[str]) -> str:
    vocabulary = VOCABULARIES[category]
    for _ in range(50):
        words = [rng.choice(vocabulary.prefixes), rng.choice(vocabulary.nouns)]
        ending = rng.random()
        if ending < 0.25:
            words.append(rng.choice(vocabulary.suffixes))
        elif ending < 0.6:
            words.append(rng.choice(QUALIFIERS))
        name = " ".join(words)
        if slugify(name) not in taken:
            return name
    number = 2
    while slugify(f"{name} {number}") in taken:
        number += 1
    return f"{name} {number}"


def _initials(words: list[str]) -> str:
    return "".join(word[0].upper() for word in words if word[0].isupper())


def _analyses(
    rng: random.Random, name: str, category_name: str, tags: list[str], source: str, at: datetime
) -> TrendAnalyses:
    texts = analysis_texts(rng, name, category_name, tags)
    provenance = {"source": source, "generated_at": at}
    return TrendAnalyses(
        decomposition=TrendDecomposition(**provenance, **texts["decomposition"]),
        pestle=PestleAnalysis(**provenance, **texts["pestle"]),
        jobs_to_be_done=JobsToBeDone(**provenance, **texts["jobs_to_be_done"]),
        consumer_trend_canvas=ConsumerTrendCanvas(**provenance, **texts["consumer_trend_canvas"]),
    )


def generate(
    count: int, seed: int, end: date, categories: list[CategorySpec]
) -> list[SyntheticTrend]:
    """``count`` synthetic trends in ``categories`` (those the vocabulary knows)."""
    rng = random.Random(seed)
    usable = [category for category in categories if category.slug in VOCABULARIES]
    if not usable:
        raise ValueError("no category of the taxonomy has a synthetic vocabulary")
    source = f"{SYNTHETIC_SOURCE} (seeds.synthetic --seed {seed})"
    generated_at = datetime.combine(end, time(), tzinfo=UTC)
    taken: set[str] = set()
    drafts: list[dict[str, Any]] = []
    for _ in range(count):
        category = rng.choice(usable)
        name = _unique_name(rng, category.slug, taken)
        taken.add(slugify(name))
        tags = sorted(rng.sample(VOCABULARIES[category.slug].tags, rng.randint(2, 4)))
        words = name.split()
        analyses = _analyses(rng, name, category.name.lower(), tags, source, generated_at)
        drafts.append(
            {
                "slug": slugify(name),
                "name": name,
                # Longer names get their initials as an alias ("Generative Vector Search": GVS).
                "aliases": [_initials(words)] if len(words) > 2 else [],
                "description": analyses.decomposition and analyses.decomposition.behavior_change,
                "category": category.slug,
                "tags": tags,
                "analyses": analyses,
                "points": _series(rng, end),
            }
        )
    return [_with_links(rng, index, drafts, seed) for index in range(len(drafts))]


def _with_links(
    rng: random.Random, index: int, drafts: list[dict[str, Any]], seed: int
) -> SyntheticTrend:
    """Trend ``index``, linked to up to three of the 200 before it sharing category and a tag."""
    draft = dict(drafts[index])
    tags = set(draft["tags"])
    peers = [
        other["slug"]
        for other in drafts[max(0, index - 200) : index]
        if other["category"] == draft["category"] and not tags.isdisjoint(other["tags"])
    ]
    related = rng.sample(peers, min(len(peers), rng.randint(0, MAX_EXPLICIT_LINKS)))
    points = draft.pop("points")
    spec = TrendSpec(**draft, growth=compute_growth(points), related=related)
    return SyntheticTrend(spec, points, _other_signals(seed, spec.slug, points))
