"""Run a notebook with papermill in this process, in an in-process IPython kernel.

The runner executes each report in a new process forked from one that has
already imported the libraries the notebooks use (``multiprocessing``'s
*forkserver*, preloaded with :mod:`analysis.report.preload`). Every report
therefore starts in a fresh process, as with a new Jupyter kernel, but pays neither a kernel's start-up
nor the imports: those are paid once per run, not once per report.

:class:`InProcessEngine` is a papermill engine (``engine_name="idlib-inprocess"``).
It executes the cells in ipykernel's in-process kernel, the same shell, display
formatters and matplotlib inline backend as a Jupyter kernel, and turns the
kernel's messages into cell outputs with nbclient's own message handling, so the
executed notebook has the outputs a Jupyter kernel gives (a test checks that the
PDFs are byte-identical to ``idlib reports --isolated``, which starts a real kernel
per report). What it cannot do: interrupt a cell (there is no execution timeout),
or capture output that C code writes straight to the process's file descriptors.
"""

from __future__ import annotations

import sys

from ipykernel.inprocess.manager import InProcessKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError
from papermill.engines import Engine, papermill_engines

INLINE = "module://matplotlib_inline.backend_inline"
# Set in a report's process (by analysis.report.preload, before matplotlib is imported),
# as ipykernel's kernel application sets them: figures go to the inline backend.
ENVIRONMENT = {
    "MPLBACKEND": INLINE,
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # no notice from the debugger about frozen modules
}

ENGINE = "idlib-inprocess"


class InProcessEngine(Engine):
    """Papermill engine: execute the cells in an in-process kernel (see the module docstring)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        _check_backend()
        km = InProcessKernelManager()
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        # nbclient's message handling, so outputs are built exactly as for a Jupyter kernel.
        client = NotebookClient(nb_man.nb, km=km, kernel_name=kernel_name)
        client.reset_execution_trackers()
        # As in a kernel's own process, print() goes to the kernel's streams for the whole run, so
        # that each request's parent header reaches them and their output lands in the right cell.
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = km.kernel.stdout, km.kernel.stderr
        try:
            for index, cell in enumerate(nb_man.nb.cells):
                try:
                    nb_man.cell_start(cell, index)
                    _execute_cell(kc, client, cell, index)
                except CellExecutionError as ex:
                    nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index, exception=ex)
                    break
                finally:
                    nb_man.cell_complete(nb_man.nb.cells[index], cell_index=index)
            kc.kernel_info()
            nb_man.nb.metadata["language_info"] = kc.get_shell_msg(timeout=60)["content"]["language_info"]
        finally:
            sys.stdout, sys.stderr = saved
            kc.stop_channels()
            km.shutdown_kernel()
        return nb_man.nb


def _check_backend() -> None:
    """Raise if matplotlib was set up before this module chose the inline backend: figures would be lost."""
    if "matplotlib" not in sys.modules:
        return
    import matplotlib

    backend = dict.__getitem__(matplotlib.rcParams, "backend")  # without resolving a backend not chosen yet
    if isinstance(backend, str) and backend != INLINE:
        raise RuntimeError(f"matplotlib's backend is {backend!r}, not the inline backend: set {__name__}.ENVIRONMENT "
                           "before matplotlib is imported (as analysis.report.preload does), or figures will be missing")


def _execute_cell(kc, client: NotebookClient, cell, index: int) -> None:
    """As nbclient's ``execute_cell``: run one code cell, collect its outputs, raise if it failed."""
    if cell.cell_type != "code" or not cell.source.strip():
        return
    if client.record_timing:
        cell["metadata"]["execution"] = {}
    allows_errors = client.allow_errors or "raises-exception" in cell.metadata.get("tags", [])
    # Runs the code now. No stdin, as nbclient: input() raises StdinNotImplementedError.
    msg_id = kc.execute(cell.source, store_history=True, stop_on_error=not allows_errors, allow_stdin=False)
    cell.outputs = []
    client.clear_before_next_output = False
    while True:  # the kernel's messages for this cell, up to its "idle" status
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        try:
            client.process_message(msg, cell, index)
        except CellExecutionComplete:
            break
    reply = kc.get_shell_msg(timeout=60)
    content = reply["content"]
    if content["status"] == "error" and not (allows_errors or content.get("ename") in client.allow_error_names):
        raise CellExecutionError.from_cell_and_msg(cell, content)


papermill_engines.register(ENGINE, InProcessEngine)
