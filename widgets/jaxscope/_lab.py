"""Open JupyterLab on the learner workspace: localhost only, token authentication on.

``make lab`` generates or updates the workspace, then runs ``python -m jaxscope lab``, which starts
JupyterLab on ``00-start-here``. The command line is built by :func:`lab_command`, so the safety
test starts exactly what a learner starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

START = "00-start-here.ipynb"


def lab_command(workspace: Path, port: int | None = None, open_browser: bool = True) -> list[str]:
    """The JupyterLab command line for ``workspace``: bound to 127.0.0.1, default token auth."""
    cmd = [sys.executable, "-m", "jupyter", "lab", "--ServerApp.ip=127.0.0.1"]
    cmd.append(f"--ServerApp.root_dir={workspace}")
    if port is not None:
        cmd += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # Jupyter refuses root without it; auth stays on
    if (workspace / START).exists():  # the printed URL and the browser both open it
        cmd.append(f"--LabApp.default_url=/lab/tree/{START}")
    return cmd


def main(workspace: str = "workspace", port: int | None = None) -> int:
    """Start JupyterLab on ``workspace`` and wait for it to stop."""
    path = Path(workspace).resolve()
    if not path.is_dir():
        print(
            f"jaxscope lab: no workspace at {path}; run `python -m jaxscope workspace` first",
            file=sys.stderr,
        )
        return 2
    from ._build import environ_sharing_gpu  # kernels of several open notebooks share a GPU

    return subprocess.call(lab_command(path, port), env=environ_sharing_gpu())
