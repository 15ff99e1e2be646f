"""``python -m bench.forecast``: forecast accuracy and cost per model, and a bulk recompute.

Accuracy: every candidate of :mod:`bench.forecast_models` is run through the production
backtest (:func:`app.forecasting.compute.backtest_folds`, 3 rolling origins 6 months apart,
12 months ahead, spikes smoothed in training) on

- real series shipped inside statsmodels: Mauna Loa CO2 (weekly, resampled to monthly
  means), euro-area electrical equipment orders (monthly) and El Nino sea temperatures
  (monthly), cut into 60-month pieces (a trend's five years);
- the synthetic trends of ``seeds.synthetic`` (weekly, five years), as monthly means.

Per model: median MASE (against the in-sample seasonal-naive error; the seasonal-naive row
is the baseline in the same run), median sMAPE, mean 80%/95% coverage of the model's own
bands and of the bands widened by the backtest (cross-conformal, as served), and the median
CPU ms per fit (``time.process_time``; noisy on a shared machine).

Cost: install size of each library with its dependencies, and the CPU time of importing it.

Recompute: seeds ``--trends`` synthetic trends into a fresh embedded server, then times
``recompute_all`` (the ``recompute-forecasts`` command's work) with ``--processes`` worker
processes, while one task keeps reading trend pages (with their forecasts) and reports how
many reads it served and their median latency, before and during the recompute.
"""

from __future__ import annotations

import importlib.metadata
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.domain.forecast_accuracy import Fold, Z
from app.domain.forecasting import monthly_history, without_spikes
from app.forecasting.compute import backtest_folds, score
from app.forecasting.predictors import Prediction, Predictor
from bench.forecast_models import CANDIDATES, SLOW
from bench.forecast_recompute import run_recompute

console = Console(width=160)
SEGMENT_MONTHS = 60
Series = tuple[str, list[float]]


def real_series() -> list[Series]:
    from statsmodels.datasets import co2, elec_equip, elnino

    co2_monthly = co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    sources = {
        "co2": co2_monthly.tolist(),
        "elec_equip": elec_equip.load().data.iloc[:, 0].tolist(),
        "elnino": elnino.load_pandas().data.iloc[:, 1:].to_numpy().ravel().tolist(),
    }
    return [
        (f"{name}[{piece}]", values[piece * SEGMENT_MONTHS : (piece + 1) * SEGMENT_MONTHS])
        for name, values in sources.items()
        for piece in range(len(values) // SEGMENT_MONTHS)
    ]


def synthetic_series(count: int, seed: int) -> list[Series]:
    from seeds.loader import DATA_DIR, parse_seed_file
    from seeds.synthetic.generator import generate

    taxonomy = parse_seed_file(DATA_DIR / "taxonomy.json").categories
    trends = generate(count, seed, date(2026, 11, 29), taxonomy)
    return [
        (trend.spec.slug, [month.value for month in monthly_history(trend.points)])
        for trend in trends
    ]


@dataclass
class Accuracy:
    series: int
    mase: float
    smape: float
    raw80: float
    raw95: float
    coverage80: float
    coverage95: float
    cpu_ms: float


def _raw_coverage(folds: Sequence[Fold], level: int) -> float:
    inside = [
        abs(actual - forecast) <= Z[level] * sigma
        for fold in folds
        for actual, forecast, sigma in zip(fold.actual, fold.forecast, fold.sigma, strict=True)
    ]
    return sum(inside) / len(inside) * 100


def evaluate(predictor: Predictor, series: Sequence[Series]) -> Accuracy:
    fit_seconds: list[float] = []

    def timed(history: Sequence[float], horizon: int) -> Prediction:
        started = time.process_time()
        prediction = predictor(history, horizon)
        fit_seconds.append(time.process_time() - started)
        return prediction

    backtests, raw80, raw95 = [], [], []
    for _, values in series:
        folds = backtest_folds(values, timed, without_spikes(values))
        backtests.append(score(folds))
        raw80.append(_raw_coverage(folds, 80))
        raw95.append(_raw_coverage(folds, 95))
    return Accuracy(
        series=len(series),
        mase=statistics.median(b.mase for b in backtests),
        smape=statistics.median(b.smape for b in backtests),
        raw80=statistics.fmean(raw80),
        raw95=statistics.fmean(raw95),
        coverage80=statistics.fmean(b.coverage80 for b in backtests),
        coverage95=statistics.fmean(b.coverage95 for b in backtests),
        cpu_ms=statistics.median(fit_seconds) * 1000,
    )


def install_mib(distribution: str) -> float:
    """Size on disk of ``distribution`` and everything it requires (no extras)."""
    seen: set[str] = set()
    pending = [distribution]
    total = 0
    while pending:
        name = re.split(r"[\s;<>=!~\[(]", pending.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for file in dist.files or ():
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                total += path.stat().st_size
        pending += [req for req in dist.requires or () if "extra ==" not in req]
    return total / 2**20


def import_cpu_seconds(statement: str, runs: int = 3) -> float:
    """CPU time (user + system) of a fresh interpreter running ``statement``, less a bare
    start, least of ``runs``: CPU, not wall time, so a busy machine inflates it little."""

    def once(code: str) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", code], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)

    bare = min(once("pass") for _ in range(runs))
    return min(once(statement) for _ in range(runs)) - bare


IMPORTS = {
    "statsforecast": "from statsforecast.models import AutoETS",
    "statsmodels": "from statsmodels.tsa.exponential_smoothing.ets import ETSModel",
}

cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    synthetic: Annotated[int, typer.Option(min=10, help="Synthetic trends to score.")] = 200,
    slow_sample: Annotated[
        int, typer.Option(min=0, help="Synthetic trends for the slow statsmodels fits.")
    ] = 40,
    trends: Annotated[
        int, typer.Option(min=0, help="Trends to recompute in the bulk run (0: skip it).")
    ] = 10_000,
    processes: Annotated[int, typer.Option(min=1, help="Worker processes for it.")] = 2,
    accuracy: Annotated[
        bool, typer.Option(help="Score the models and the libraries' cost (else recompute only).")
    ] = True,
) -> None:
    """Score each candidate model on real and synthetic series, then time a bulk recompute."""
    if accuracy:
        score_models(synthetic, slow_sample)
    if trends:
        report_recompute(trends, processes)


def score_models(synthetic: int, slow_sample: int) -> None:
    sets = {"real": real_series(), "synthetic": synthetic_series(synthetic, 7)}
    console.print(
        f"series: {len(sets['real'])} real (60-month pieces), {len(sets['synthetic'])} "
        f"synthetic; 3 rolling origins, 12 months ahead"
    )
    table = Table(title="Forecast accuracy (backtest, same run)")
    for column in (
        "set",
        "model",
        "library",
        "series",
        "median MASE",
        "median sMAPE",
        "model cov80",
        "model cov95",
        "served cov80",
        "served cov95",
        "CPU ms/fit",
    ):
        table.add_column(
            column, justify="left" if column in ("set", "model", "library") else "right"
        )
    for set_name, series in sets.items():
        for model, (library, predictor) in CANDIDATES.items():
            sample = series[:slow_sample] if model in SLOW and set_name == "synthetic" else series
            if not sample:
                continue
            result = evaluate(predictor, sample)
            table.add_row(
                set_name,
                model,
                library,
                str(result.series),
                f"{result.mase:.3f}",
                f"{result.smape:.2f}",
                f"{result.raw80:.1f}",
                f"{result.raw95:.1f}",
                f"{result.coverage80:.1f}",
                f"{result.coverage95:.1f}",
                f"{result.cpu_ms:.1f}",
            )
        table.add_section()
    console.print(table)

    costs = Table(title="Library cost")
    for column in ("library", "install MiB (with dependencies)", "import CPU s (least of 3)"):
        costs.add_column(column)
    for library, statement in IMPORTS.items():
        size, cpu = install_mib(library), import_cpu_seconds(statement)
        costs.add_row(library, f"{size:.0f}", f"{cpu:.2f}")
    console.print(costs)


def report_recompute(trends: int, processes: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        run = run_recompute(trends, processes, Path(folder))
        console.print(
            f"recompute: {run.trends} trends, {run.signals} signals in {run.seconds:.1f}s with "
            f"{run.processes} processes ({run.forecasts} forecasts, {run.unavailable} without "
            f"one); 10,000 trends at this rate: "
            f"{run.seconds / max(1, run.trends) * 10_000 / 60:.1f} min"
        )
        console.print(
            f"the trends' own forecasts (their {run.primaries} primary signals, done first): "
            f"{run.primaries_seconds:.1f}s; 10,000 trends at this rate: "
            f"{run.primaries_seconds / max(1, run.primaries) * 10_000 / 60:.1f} min"
        )
        per_trend = run.worker_cpu_seconds / max(1, run.trends)
        console.print(
            f"fitting CPU: {run.worker_cpu_seconds:.1f}s ({per_trend * 1000:.0f} ms per trend); "
            f"10,000 trends on {run.processes} otherwise idle cores: "
            f"{per_trend * 10_000 / run.processes / 60:.1f} min"
        )
        console.print(
            f"reads of a trend page (in-process, with forecasts): before "
            f"{run.reads_before.count / run.reads_before_seconds:.0f}/s, median "
            f"{run.reads_before.median_ms():.1f} ms; during the recompute "
            f"{run.reads_during.count / run.seconds:.0f}/s, median "
            f"{run.reads_during.median_ms():.1f} ms"
        )


if __name__ == "__main__":
    cli()
