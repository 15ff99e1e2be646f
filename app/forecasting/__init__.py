"""Forecast fitting: the forecasting library behind the rules of :mod:`app.domain.forecasting`.

Between storage and the domain in the layers: storage's worker and the recompute command call
it; it does no I/O. It imports the library lazily (see :mod:`app.forecasting.predictors`).
"""
