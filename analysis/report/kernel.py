"""A Jupyter kernel for one report (``idlib reports --isolated``), on Unix sockets.

The default route runs each report in an in-process kernel (:mod:`.inprocess`);
``--isolated`` starts a real Jupyter kernel for every report, the route papermill
takes by itself, and the reference the default is tested against.

The kernel talks over Unix sockets in a private temporary folder (``ipc``
transport): with TCP, kernels started at the same moment by parallel reports can
pick the same free port, and one of them then fails with "Address already in use".
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class Kernel:
    """One kernel, launched by :meth:`start` in ``cwd``; :meth:`ready` waits for it."""

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
        """The kernel manager, once its kernel answers."""
        self.start()
        kc = self.km.blocking_client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
        finally:
            kc.stop_channels()
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
