"""One forecast from one series: monthly history, rolling-origin backtest, final fit, bands.

Pure computation (no I/O), run in a worker process: the input is the series' points and
version, the output a domain :data:`ForecastOutcome`. The rules (what is forecastable, the
outlook, the confidence) are :mod:`app.domain.forecasting`'s; the measures are
:mod:`app.domain.forecast_accuracy`'s; the model is a :data:`Predictor`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from statistics import fmean

from app.domain.forecast_accuracy import (
    LEVELS,
    Fold,
    band,
    conformal_quantile,
    coverage,
    mase,
    origin_cuts,
    smape,
)
from app.domain.forecasting import (
    BACKTEST_ORIGINS,
    HORIZON_MONTHS,
    ORIGIN_STEP_MONTHS,
    SEASON_MONTHS,
    Backtest,
    Forecast,
    ForecastOutcome,
    ForecastPoint,
    ForecastUnavailable,
    UnavailableReason,
    add_months,
    confidence_for,
    forecast_growth_percent,
    monthly_history,
    outlook_between,
    unavailable_reason,
    without_spikes,
)
from app.domain.series import SeriesPoint
from app.forecasting.predictors import AUTO_ETS_METHOD, Predictor, auto_ets

logger = logging.getLogger(__name__)


def backtest_folds(
    values: Sequence[float], predictor: Predictor, cleaned: Sequence[float] | None = None
) -> list[Fold]:
    """The rolling-origin folds of ``values`` (see :func:`origin_cuts`): each trains on
    ``cleaned`` (``values`` without spikes, when given) and is scored on ``values``."""
    training_values = values if cleaned is None else cleaned
    folds = []
    for cut in origin_cuts(len(values), HORIZON_MONTHS, BACKTEST_ORIGINS, ORIGIN_STEP_MONTHS):
        training = tuple(training_values[:cut])
        actual = tuple(values[cut : cut + HORIZON_MONTHS])
        prediction = predictor(training, len(actual))
        folds.append(Fold(training, actual, prediction.mean, prediction.sigma))
    return folds


def score(folds: Sequence[Fold]) -> Backtest:
    return Backtest(
        mase=fmean(mase(fold, SEASON_MONTHS) for fold in folds),
        smape=fmean(smape(fold.actual, fold.forecast) for fold in folds),
        coverage80=coverage(folds, 80),
        coverage95=coverage(folds, 95),
        origins=len(folds),
    )


def compute_forecast(
    points: Sequence[SeriesPoint],
    series_version: int,
    generated_at: datetime,
    predictor: Predictor = auto_ets,
    method: str = AUTO_ETS_METHOD,
) -> ForecastOutcome:
    """The forecast of a series, or why there is none (see :mod:`app.domain.forecasting`)."""
    history = monthly_history(points)
    refused = unavailable_reason(history, series_version)
    if refused is not None:
        return ForecastUnavailable(
            refused.reason, refused.message, series_version, generated_at=generated_at
        )
    values = [month.value for month in history]
    cleaned = without_spikes(values)
    try:
        folds = backtest_folds(values, predictor, cleaned)
        final = predictor(cleaned, HORIZON_MONTHS)
    except (ArithmeticError, ValueError) as error:  # the library refuses a degenerate series
        logger.warning("forecast fit failed: %s", error)
        return ForecastUnavailable(
            UnavailableReason.FIT_FAILED,
            f"the model could not be fitted to this series ({error})",
            series_version,
            generated_at,
        )
    scores = [value for fold in folds for value in fold.scores()]
    q80, q95 = (conformal_quantile(scores, level) for level in LEVELS)
    forecast_points = []
    for step, (mean, sigma) in enumerate(zip(final.mean, final.sigma, strict=True)):
        value = max(0.0, mean)  # series are never negative
        lower80, upper80 = band(mean, sigma, q80)
        lower95, upper95 = band(mean, sigma, q95)
        forecast_points.append(
            ForecastPoint(
                add_months(history[-1].month, step + 1),
                value,
                lower80,
                upper80,
                lower95,
                upper95,
            )
        )
    backtest = score(folds)
    forecast_values = [point.value for point in forecast_points]
    return Forecast(
        method=method,
        horizon_months=HORIZON_MONTHS,
        generated_at=generated_at,
        points=tuple(forecast_points),
        backtest=backtest,
        outlook=outlook_between(values, forecast_values),
        confidence=confidence_for(backtest, values, forecast_points),
        growth_percent=forecast_growth_percent(values, forecast_values),
        series_version=series_version,
    )
