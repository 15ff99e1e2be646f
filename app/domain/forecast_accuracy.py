"""How forecasts are measured: rolling origins, the seasonal-naive baseline, MASE, sMAPE,
interval coverage, and the cross-conformal widening of a model's bands.

Rolling origins. For a history of ``n`` months, origin ``i`` (``0 <= i < origins``) trains
on the first ``n - horizon - (origins - 1 - i) * step`` months and is scored on the
``horizon`` months after them: the last origin's test window ends at the last month.

Bands. A model's own 80%/95% bands assume the model is right; on trend series (take-offs,
peaks) they were too narrow (docs/forecasting.md: 62% and 77% of held-out months inside).
So each band is widened by the backtest's own errors (cross-conformal prediction, Vovk
2015): every held-out month gives a score ``|actual - forecast| / sigma``, ``sigma`` being
the model's standard error for that month (its 95% half-width / 1.96); a band at level
``p`` is ``forecast +- q * sigma``, with ``q`` the conformal quantile of the scores at
``p`` (rank ``ceil((k + 1) * p)`` of ``k`` scores, the finite-sample correction), and never
narrower than the model's own ``z_p``. A backtest origin's coverage is scored with bands
calibrated on the other origins only, so a month never calibrates its own band.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean

LEVELS = (80, 95)
Z = {level: NormalDist().inv_cdf(0.5 + level / 200) for level in LEVELS}


@dataclass(frozen=True, slots=True)
class Fold:
    """One rolling origin: its training months, the held-out months and the forecast."""

    training: tuple[float, ...]
    actual: tuple[float, ...]
    forecast: tuple[float, ...]
    sigma: tuple[float, ...]
    """The model's standard error per forecast month (from its own 95% band)."""

    def scores(self) -> list[float]:
        return [
            abs(actual - forecast) / sigma if sigma > 0 else (0.0 if actual == forecast else 1e9)
            for actual, forecast, sigma in zip(self.actual, self.forecast, self.sigma, strict=True)
        ]


def origin_cuts(months: int, horizon: int, origins: int, step: int) -> list[int]:
    """Training lengths of the rolling origins, earliest first."""
    return [months - horizon - (origins - 1 - index) * step for index in range(origins)]


def seasonal_naive(history: Sequence[float], horizon: int, season: int) -> list[float]:
    """Each forecast month repeats the same month one season earlier (the MASE baseline)."""
    last_season = history[-season:]
    return [last_season[step % len(last_season)] for step in range(horizon)]


def seasonal_naive_scale(training: Sequence[float], season: int) -> float:
    """In-sample mean absolute error of the seasonal-naive forecast (MASE's denominator)."""
    return fmean(abs(a - b) for a, b in zip(training[season:], training[:-season], strict=False))


def mase(fold: Fold, season: int) -> float:
    scale = seasonal_naive_scale(fold.training, season)
    error = fmean(abs(a - f) for a, f in zip(fold.actual, fold.forecast, strict=True))
    if scale == 0:
        return 0.0 if error == 0 else math.inf
    return error / scale


def smape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Symmetric MAPE in percent; a month where both are 0 counts as exact."""
    terms = [
        2 * abs(a - f) / (abs(a) + abs(f)) if abs(a) + abs(f) > 0 else 0.0
        for a, f in zip(actual, forecast, strict=True)
    ]
    return fmean(terms) * 100


def conformal_quantile(scores: Sequence[float], level: int) -> float:
    """The conformal ``q`` at ``level`` percent, never below the normal ``z`` (see module)."""
    ordered = sorted(scores)
    if not ordered:
        return Z[level]
    rank = min(len(ordered), math.ceil((len(ordered) + 1) * level / 100))
    return max(Z[level], ordered[rank - 1])


def band(forecast: float, sigma: float, q: float) -> tuple[float, float]:
    """``forecast +- q * sigma``; the lower bound never below 0 (series are never negative)."""
    return max(0.0, forecast - q * sigma), forecast + q * sigma


def coverage(folds: Sequence[Fold], level: int) -> float:
    """Percent of held-out months inside the band calibrated on the other folds."""
    inside = total = 0
    for fold in folds:
        others = [score for other in folds if other is not fold for score in other.scores()]
        q = conformal_quantile(others, level) if len(folds) > 1 else Z[level]
        for actual, forecast, sigma in zip(fold.actual, fold.forecast, fold.sigma, strict=True):
            lower, upper = band(forecast, sigma, q)
            inside += lower <= actual <= upper
            total += 1
    return inside / total * 100 if total else 0.0
