"""Predictors: one model fit on a monthly history, giving a mean and a standard error per month.

The production predictor is statsforecast's AutoETS, chosen by measurement
(docs/forecasting.md, ``python -m bench.forecast``). A predictor is a plain callable, so the
benchmark composes its alternatives (seasonal naive, AutoTheta, statsmodels) beside it
without a switch in production code.

statsforecast (with numpy, scipy, pandas) costs ~1.5-2 s and ~200 MB to import: it is imported
inside the fitting function, so only the processes that fit (the worker pool, the recompute
command) pay for it, never the API process that serves reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.domain.forecast_accuracy import Z
from app.domain.forecasting import SEASON_MONTHS


@dataclass(frozen=True, slots=True)
class Prediction:
    mean: tuple[float, ...]
    sigma: tuple[float, ...]
    """Standard error per month, from the model's own 95% band (half-width / z95)."""


Predictor = Callable[[Sequence[float], int], Prediction]

AUTO_ETS_METHOD = "AUTO_ETS"
"""statsforecast AutoETS with additive error, trend and season, the trend damped or not
(ETS(A,A,A) or ETS(A,Ad,A), the lower AICc wins), its parameters fitted per series; bands
widened by the backtest (cross-conformal)."""


def auto_ets(history: Sequence[float], horizon: int) -> Prediction:
    """statsforecast AutoETS, model ``AAA`` (damped or not, by AICc), season of 12 months."""
    # Imported here: heavy, and only the fitting processes need them (see the module).
    import numpy as np
    from statsforecast.models import AutoETS

    model = AutoETS(season_length=SEASON_MONTHS, model="AAA")
    fitted = model.forecast(y=np.asarray(history, dtype=float), h=horizon, level=[95])
    mean = np.asarray(fitted["mean"], dtype=float)
    sigma = (np.asarray(fitted["hi-95"]) - np.asarray(fitted["lo-95"])) / (2 * Z[95])
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sigma))):
        raise ArithmeticError("the model gave a non-finite forecast")
    return Prediction(tuple(mean.tolist()), tuple(np.maximum(sigma, 0.0).tolist()))
