"""The candidates ``python -m bench.forecast`` compares, each a :data:`Predictor`.

Composed here, not in production code: the production predictor is
:func:`app.forecasting.predictors.auto_ets`; the others are the alternatives it was chosen
against (and the seasonal-naive baseline of MASE).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from statistics import stdev
from typing import Any

from app.domain.forecast_accuracy import Z, seasonal_naive
from app.domain.forecasting import SEASON_MONTHS
from app.forecasting.predictors import Prediction, Predictor, auto_ets


def seasonal_naive_predictor(history: Sequence[float], horizon: int) -> Prediction:
    """The same month a year earlier; sigma from the seasonal differences, growing with
    each further year ahead (the textbook seasonal-naive interval)."""
    mean = seasonal_naive(history, horizon, SEASON_MONTHS)
    differences = [a - b for a, b in zip(history[SEASON_MONTHS:], history, strict=False)]
    spread = stdev(differences) if len(differences) > 1 else 0.0
    sigma = [spread * math.sqrt(step // SEASON_MONTHS + 1) for step in range(horizon)]
    return Prediction(tuple(mean), tuple(sigma))


def _statsforecast(model: Callable[[], Any]) -> Predictor:
    def predict(history: Sequence[float], horizon: int) -> Prediction:
        import numpy as np

        fitted = model().forecast(y=np.asarray(history, dtype=float), h=horizon, level=[95])
        sigma = (fitted["hi-95"] - fitted["lo-95"]) / (2 * Z[95])
        return Prediction(tuple(fitted["mean"].tolist()), tuple(np.maximum(sigma, 0).tolist()))

    return predict


def statsforecast_auto_ets_zza(history: Sequence[float], horizon: int) -> Prediction:
    from statsforecast.models import AutoETS

    return _statsforecast(lambda: AutoETS(season_length=SEASON_MONTHS, model="ZZA"))(
        history, horizon
    )


def statsforecast_auto_theta(history: Sequence[float], horizon: int) -> Prediction:
    from statsforecast.models import AutoTheta

    return _statsforecast(lambda: AutoTheta(season_length=SEASON_MONTHS))(history, horizon)


def _monthly(history: Sequence[float]) -> Any:
    import pandas as pd

    index = pd.date_range("2000-01-01", periods=len(history), freq="MS")
    return pd.Series(list(history), index=index, dtype=float)


def statsmodels_ets_aaa(history: Sequence[float], horizon: int) -> Prediction:
    """statsmodels' ETSModel, the same ETS(A,A,A) as production, by maximum likelihood."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on short series
        fitted = ETSModel(
            _monthly(history),
            error="add",
            trend="add",
            seasonal="add",
            seasonal_periods=SEASON_MONTHS,
        ).fit(disp=False)
        frame = fitted.get_prediction(
            start=len(history), end=len(history) + horizon - 1
        ).summary_frame(alpha=0.05)
    sigma = (frame["pi_upper"] - frame["pi_lower"]) / (2 * Z[95])
    return Prediction(tuple(frame["mean"].tolist()), tuple(sigma.clip(lower=0).tolist()))


def statsmodels_theta(history: Sequence[float], horizon: int) -> Prediction:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = ThetaModel(_monthly(history), period=SEASON_MONTHS).fit()
        mean = fitted.forecast(horizon)
        bands = fitted.prediction_intervals(horizon, alpha=0.05)
    sigma = (bands.iloc[:, 1] - bands.iloc[:, 0]) / (2 * Z[95])
    return Prediction(tuple(mean.tolist()), tuple(sigma.clip(lower=0).tolist()))


CANDIDATES: dict[str, tuple[str, Predictor]] = {
    "seasonal naive (baseline)": ("-", seasonal_naive_predictor),
    "AutoETS AAA (production)": ("statsforecast", auto_ets),
    "AutoETS ZZA (auto)": ("statsforecast", statsforecast_auto_ets_zza),
    "AutoTheta": ("statsforecast", statsforecast_auto_theta),
    "ETSModel AAA": ("statsmodels", statsmodels_ets_aaa),
    "ThetaModel": ("statsmodels", statsmodels_theta),
}
SLOW = {"ETSModel AAA", "ThetaModel"}
"""Fitted only on a sample of the synthetic series (see ``--slow-sample``)."""
