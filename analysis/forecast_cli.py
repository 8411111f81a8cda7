"""Sub-commands added by the model issues (forecast, score, scenario)."""

from __future__ import annotations

import argparse


def add_forecast_commands(sub: argparse._SubParsersAction) -> None:
    """Register model sub-commands. Models register themselves here as they land."""
    return None
