"""Warm kernels: each report worker keeps one Jupyter kernel and reuses it from report to report.

Starting a kernel and importing numpy, pandas, matplotlib and statsmodels costs
about 5 s a notebook, more than most of the reports' own work. A worker
therefore starts its kernel once; before each report the kernel is put back in
the state of a fresh one (:func:`fresh_state`, run inside the kernel):

* the user namespace is cleared and the execution counter restarts at 1
  (IPython's ``reset(new_session=True)``), so no name survives from the last report;
* figures are closed, and matplotlib's rcParams and unit converters are restored
  to what they were when the kernel started;
* the warning filters are restored and the "already shown" registries invalidated,
  so a warning is printed in every report that triggers it.

Imported modules stay imported: that is the saving. The package's caches cannot
carry one report's inputs into another: :mod:`analysis.memo` keys on content, and
the scenario calibration cache on the dataset object itself (each report loads its own). A test renders the reports in warm and in fresh kernels and
checks that the PDFs are byte-identical. ``idlib reports --isolated`` starts a
fresh kernel for every report instead.

A kernel that fails a report is shut down; the worker's next report gets a new one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

_SNAPSHOT: dict | None = None
_SESSION_RC = ("backend", "backend_fallback", "interactive")

PRELUDE = "import analysis.report.kernel as _warm_kernel\n_warm_kernel.fresh_state()"


def fresh_state() -> None:
    """Inside a kernel: restore the state it had when it started (see the module docstring)."""
    global _SNAPSHOT
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    import matplotlib.units as munits
    from IPython import get_ipython

    if _SNAPSHOT is None:  # the first call, in a kernel that has run nothing yet
        # The session keys are left alone: the inline backend switches interactive mode on when it loads.
        rc = {k: v for k, v in mpl.rcParams.items() if k not in _SESSION_RC}
        _SNAPSHOT = {"rc": rc, "units": dict(munits.registry), "warnings": list(warnings.filters)}
    plt.close("all")
    dict.update(mpl.rcParams, _SNAPSHOT["rc"])  # as matplotlib's rc_context restores, without re-validation
    munits.registry.clear()
    munits.registry.update(_SNAPSHOT["units"])
    warnings.resetwarnings()  # bumps the filters' version: every "already warned" registry is forgotten
    warnings.filters[:] = _SNAPSHOT["warnings"]
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)


class WarmKernel:
    """One kernel, started on first use in ``cwd`` and reset before every notebook.

    The kernel talks over Unix sockets in a private temporary folder (``ipc``
    transport): with TCP, kernels started at the same moment by parallel workers
    can pick the same free port, and one of them then fails to start.
    """

    def __init__(self, cwd: Path, kernel_name: str = "python3") -> None:
        self.cwd, self.kernel_name = Path(cwd), kernel_name
        self.km = None
        self._sockets: str | None = None

    def start(self) -> None:
        """Launch the kernel if none is alive; does not wait for it to be ready."""
        from jupyter_client.manager import KernelManager

        if self.km is None or not self.km.is_alive():
            self.shutdown()
            self._sockets = tempfile.mkdtemp(prefix="idlib-kernel-")
            self.km = KernelManager(kernel_name=self.kernel_name, transport="ipc", ip=os.path.join(self._sockets, "k"))
            self.km.start_kernel(cwd=str(self.cwd), env=dict(os.environ))

    def ready(self):
        """A kernel manager whose kernel is alive and in a fresh state."""
        self.start()
        kc = self.km.blocking_client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            reply = kc.execute_interactive(PRELUDE, store_history=False, timeout=60, output_hook=lambda msg: None)
        finally:
            kc.stop_channels()
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            self.shutdown()
            raise RuntimeError(f"could not reset the kernel: {content.get('ename')}: {content.get('evalue')}")
        return self.km

    def shutdown(self) -> None:
        if self.km is not None:
            try:
                if self.km.is_alive():
                    self.km.shutdown_kernel(now=True)  # also removes the connection file and sockets
                else:
                    self.km.cleanup_resources()
            finally:
                self.km = None
        if self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None
