"""Scenarios: editable YAML specs run the fitted models forward as joint Monte Carlo paths.

Modules: :mod:`.spec` (the frozen, validated spec), :mod:`.calibration` (fitted inputs),
:mod:`.kernel` (the compiled daily loop), :mod:`.engine` (run, compare), :mod:`.sweeps` (grids),
:mod:`.summary` (report tables), :mod:`.hindcast` (a scenario against the record). Their public names are re-exported here, imported on first use:
``import analysis.scenarios.spec`` (the notebooks' parameter checks) loads neither the models nor numba.
"""

from __future__ import annotations

import importlib

_MODULES = ("spec", "calibration", "engine", "sweeps", "summary", "hindcast")


def __getattr__(name: str):
    """The public name ``name`` of the first sub-module that defines it (PEP 562)."""
    if not name.startswith("_"):
        for module in _MODULES:
            mod = importlib.import_module(f"{__name__}.{module}")
            if hasattr(mod, name) and not isinstance(getattr(mod, name), type(importlib)):
                value = getattr(mod, name)
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
