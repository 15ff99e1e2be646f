"""``python -m bench.forecast`` refuses bad counts before it fits anything or starts a server."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bench import forecast


@pytest.mark.parametrize(
    "arguments",
    [["--synthetic", "5"], ["--slow-sample", "-1"], ["--trends", "-1"], ["--processes", "0"]],
)
def test_forecast_bench_refuses_out_of_range_counts(arguments: list[str]) -> None:
    result = CliRunner().invoke(forecast.cli, arguments)
    assert result.exit_code == 2
    assert "Invalid value" in result.output
