"""Imported once per run, in the process that every report's process is forked from.

``multiprocessing``'s forkserver imports this module before it forks anything.
It sets the in-process kernel's environment (matplotlib's inline backend, chosen
before matplotlib is imported), imports the libraries and package modules that
the notebooks use (:data:`MODULES`), and validates an empty table so that pandera
imports what it imports on first use. Each report then starts with all of that
done. See :mod:`.inprocess`.

Nothing here may start a thread or a kernel: the process is forked.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os

from .inprocess import ENVIRONMENT

MODULES = (
    # the in-process kernel (its debugger support imports debugpy), the PNG writer, IPython's history database
    "ipykernel.inprocess.ipkernel", "ipykernel.inprocess.blocking", "ipykernel.debugger",
    "matplotlib.pyplot", "matplotlib.backends.backend_agg", "PIL.PngImagePlugin", "sqlite3",
    # the libraries and the package's modules that the notebooks import
    "numpy", "pandas", "pandas.io.formats.string", "scipy.stats", "statsmodels.api", "nbformat", "papermill",
    "analysis.report.pdf", "analysis.report.display", "analysis.data.dataset", "analysis.report.params", "analysis.data.tables",
    "analysis.core.memo", "analysis.models.base", "analysis.models.displacement", "analysis.models.territory", "analysis.scenarios",
    "analysis.scoring", "analysis.scoring.wep", "analysis.report.figures.event_figures", "analysis.report.figures.model_figures", "analysis.report.figures.maps",
    "analysis.report.figures.style",
)


def _first_validation() -> None:
    """Validate an empty table: pandera imports its accessors and strategies on first use."""
    import pandas as pd

    from ..data.tables import DOCUMENTS

    DOCUMENTS.validate(DOCUMENTS.conform(pd.DataFrame(columns=[f.name for f in DOCUMENTS.fields])))


os.environ.update(ENVIRONMENT)  # before matplotlib is imported
for _name in MODULES:
    importlib.import_module(_name)
with contextlib.suppress(Exception):  # only a warm-up: each report validates its own data, and raises there
    _first_validation()

# When the run ends, the forkserver exits at once: tearing down all these modules
# took about a second, during which it still held the run's output pipes open.
# (Report processes leave with os._exit and never run atexit handlers.)
atexit.register(os._exit, 0)
