"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium per session.

Needs Debian's Chromium (``apt-get install chromium``, or set ``JAXSCOPE_CHROMIUM``) and the
``playwright`` Python package (``pip install playwright``). Never run ``playwright install``: the
system Chromium is used through ``executable_path``. Without them the suite is skipped, except
under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from . import lab as labmod

REPO = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).resolve().parent / "samples"
# the notebooks under test (env JAXSCOPE_NOTEBOOKS: another folder, e.g. while drafting one)
NOTEBOOKS_DIR = Path(os.environ.get("JAXSCOPE_NOTEBOOKS") or REPO / "notebooks").resolve()
INSTALL_HINT = (
    "install Chromium and Playwright's Python package: `apt-get install chromium` and "
    "`pip install playwright` (do not run `playwright install`; set JAXSCOPE_CHROMIUM to use "
    "another Chromium binary)"
)

# the sample notebooks are inputs of these tests, not notebooks to collect (e.g. under --nbval)
collect_ignore = ["samples"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def chromium_executable() -> str | None:
    path = os.environ.get("JAXSCOPE_CHROMIUM") or "/usr/bin/chromium"
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def _unavailable(reason: str):
    if in_ci():
        pytest.fail(f"browser tests cannot run under CI: {reason}; {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"{reason}; {INSTALL_HINT}")


def browser_timeout() -> float:
    """Seconds allowed for Run All of one notebook (env ``JAXSCOPE_BROWSER_TIMEOUT``)."""
    return float(os.environ.get("JAXSCOPE_BROWSER_TIMEOUT", "180"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if importlib.util.find_spec("playwright") is None:
        _unavailable("the `playwright` Python package is not installed")
    path = chromium_executable()
    if path is None:
        where = os.environ.get("JAXSCOPE_CHROMIUM") or "/usr/bin/chromium"
        _unavailable(f"no Chromium executable at {where}")
    return path


def artifacts_dir() -> Path:
    """Where screenshots go: ``$JAXSCOPE_ARTIFACTS`` or ``test-artifacts/browser/``."""
    folder = Path(os.environ.get("JAXSCOPE_ARTIFACTS") or REPO / "test-artifacts" / "browser")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def artifacts() -> Path:
    return artifacts_dir()


@pytest.fixture(scope="session")
def lab_dirs(tmp_path_factory) -> tuple[Path, Path]:
    """``(root, state)``: the served folder (copies of the notebooks) and the config folder."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root, state = base / "root", base / "state"
    root.mkdir()
    state.mkdir()
    if NOTEBOOKS_DIR.is_dir():
        labmod.copy_notebook_dir(NOTEBOOKS_DIR, root / "notebooks")
    labmod.copy_notebook_dir(SAMPLES, root / "samples")
    return root, state


@pytest.fixture(scope="session")
def lab(chromium_path, lab_dirs, artifacts):
    """A JupyterLab server on a free localhost port, token auth on, stopped by SIGTERM."""
    root, state = lab_dirs
    server = labmod.start_lab(root, state)
    try:
        yield server
    finally:
        server.stop()
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        shutil.copyfile(server.log_path, artifacts / f"lab{'-' + worker if worker else ''}.log")


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium_path, headless=True, args=labmod.CHROMIUM_ARGS
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def context(browser, lab):
    """One browser context for the session (each notebook gets its own page)."""
    ctx = browser.new_context(viewport=labmod.VIEWPORT)
    ctx.set_default_timeout(60_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def workspace_notebook(lab_dirs) -> str:
    """Generate a learner workspace with ``python -m jaxscope workspace`` and return the path of
    its ``00-start-here.ipynb`` relative to the server root; skip while that command is missing."""
    root, state = lab_dirs
    if importlib.util.find_spec("jaxscope.__main__") is None:
        pytest.skip("`python -m jaxscope` does not exist yet (no jaxscope/__main__.py)")
    env = labmod.isolated_env(state)
    probe = subprocess.run(
        [sys.executable, "-m", "jaxscope", "workspace", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if probe.returncode != 0:
        pytest.skip(
            "`python -m jaxscope workspace` is not available yet: "
            + (probe.stderr or probe.stdout).strip()[-300:]
        )
    if not (NOTEBOOKS_DIR / "00-start-here.ipynb").is_file():
        pytest.skip("notebooks/00-start-here.ipynb does not exist yet, so no workspace has one")
    dest = root / "workspace"
    source = root / "notebooks"  # the served copies: the generator never reads the repo's files
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "jaxscope",
            "workspace",
            "--source",
            str(source),
            "--dest",
            str(dest),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=300,
    )
    assert made.returncode == 0, f"workspace generation failed:\n{made.stdout}\n{made.stderr}"
    nb = dest / "00-start-here.ipynb"
    assert nb.is_file(), (
        f"the generated workspace has no 00-start-here.ipynb: {sorted(dest.iterdir())}"
    )
    labmod.use_current_kernel(nb)
    return "workspace/00-start-here.ipynb"
