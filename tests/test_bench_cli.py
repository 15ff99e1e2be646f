"""The benchmark tools refuse bad flags before they start any server or child process."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bench import instructions


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--variant", "fast"], "fast"),
        (["--scenario", "S9"], "S9"),
        (["--variant", "floor", "--variant", "quick", "--scenario", "S4"], "S4, quick"),
    ],
)
def test_instructions_refuses_unknown_variants_and_scenarios(
    arguments: list[str], named: str
) -> None:
    result = CliRunner().invoke(instructions.app, arguments)
    assert result.exit_code == 2
    assert f"unknown variant or scenario: {named}" in result.output


@pytest.mark.parametrize("arguments", [["--requests", "0"], ["--trends", "5"], ["--base", "-1"]])
def test_instructions_refuses_out_of_range_counts(arguments: list[str]) -> None:
    result = CliRunner().invoke(instructions.app, arguments)
    assert result.exit_code == 2
    assert "Invalid value" in result.output
