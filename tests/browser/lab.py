"""Helpers for the browser tests: a throw-away JupyterLab server and the checks run in Chromium.

Nothing here writes outside the temporary folder it is given (and the screenshot folder): the
server's config, data, runtime, IPython and matplotlib folders and ``HOME`` all point inside it,
and notebooks are opened from copies.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from jaxscope._lab import lab_command

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 1000}
MAX_SHOT_HEIGHT = 12000

# Console errors that are not failures. Keep this list short; each entry says why it is harmless.
HARMLESS_CONSOLE = [
    # Placeholder kept empty on purpose: add (substring, reason) pairs only after seeing them.
]

# JupyterLab user settings that keep runs side-effect free and pages complete.
USER_SETTINGS = {
    # never write the executed outputs back to the (copied) notebook
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # no "Jupyter news" toast, no update check (both would reach the network)
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # attach every cell to the DOM, so off-screen outputs have text and size
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
}


# --- the server ------------------------------------------------------------------------------
def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(base: Path) -> dict[str, str]:
    """Environment for the server and its kernels with every config/cache folder under ``base``."""
    dirs = {
        "HOME": base / "home",
        "JUPYTER_CONFIG_DIR": base / "jupyter-config",
        # user data dir only: labextensions/kernels of the venv come from sys.prefix/share/jupyter,
        # which Jupyter always searches
        "JUPYTER_DATA_DIR": base / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": base / "jupyter-runtime",
        "JUPYTERLAB_SETTINGS_DIR": base / "jupyter-config" / "lab" / "user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "jupyter-config" / "lab" / "workspaces",
        "IPYTHONDIR": base / "ipython",
        "MPLCONFIGDIR": base / "mpl",
        "XDG_CACHE_HOME": base / "cache",
        "XDG_CONFIG_HOME": base / "config",
        "XDG_DATA_HOME": base / "data",
    }
    env = dict(os.environ)
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_TOKEN", None)
    return env


def write_user_settings(settings_dir: Path) -> None:
    for rel, values in USER_SETTINGS.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2), encoding="utf-8")


@dataclass
class Lab:
    """A running JupyterLab server (start with :func:`start_lab`, stop with :meth:`stop`)."""

    proc: subprocess.Popen
    port: int
    token: str
    root: Path
    log_path: Path
    _log: object = field(repr=False, default=None)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the server by PID, then SIGKILL if it is still alive after ``timeout``."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self._log is not None:
            self._log.close()
            self._log = None


def start_lab(root: Path, base: Path, timeout: float = 60.0) -> Lab:
    """Start JupyterLab as ``python -m jaxscope lab`` does: serving ``root``, state in ``base``."""
    env = isolated_env(base)
    write_user_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
    port, token = free_port(), secrets.token_hex(24)
    # the learner's command line (`python -m jaxscope lab`), plus a token the test knows and the
    # app object on `window` for the page scripts
    cmd = lab_command(root, port=port, open_browser=False)
    cmd += [f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True"]
    log_path = base / "lab.log"
    log = open(log_path, "w", encoding="utf-8")  # closed by Lab.stop
    proc = subprocess.Popen(
        cmd, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    lab = Lab(proc, port, token, root, log_path, log)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{lab.log_tail()}")
            try:
                with urllib.request.urlopen(lab.url("api/status"), timeout=2) as r:
                    if r.status == 200:
                        return lab
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer in {timeout} s:\n{lab.log_tail()}")
            time.sleep(0.25)
    except BaseException:
        lab.stop()
        raise


def copy_notebook_dir(src: Path, dest: Path) -> Path:
    """Copy a folder of notebooks (no checkpoints) and point each copy at the current kernel."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for nb in dest.glob("*.ipynb"):
        use_current_kernel(nb)
    return dest


def use_current_kernel(path: Path) -> None:
    """Set the copy's kernelspec to ``python3`` (the current environment), like nbval's
    ``--nbval-current-env``, so a custom kernel name can't block the page with a kernel dialog."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.setdefault("metadata", {})["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


# --- the page ----------------------------------------------------------------------------------
@dataclass
class PageLog:
    """JavaScript errors seen on one page."""

    errors: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", self._on_console)

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        text = "\n".join(msg.text.splitlines()[:2])  # the message and the top stack frame
        loc = msg.location or {}
        where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
        if any(pattern in text for pattern, _why in HARMLESS_CONSOLE):
            self.ignored.append(text)
        else:
            self.errors.append(f"console.error: {text}{where}")


def open_notebook(context, lab: Lab, relpath: str, timeout: float = 60.0):
    """Open ``relpath`` (relative to the server root) in a new page; wait for an idle kernel.

    Returns ``(page, PageLog)``. The notebook gets its own workspace, reset on load, so pages
    don't reopen each other's documents.
    """
    page = context.new_page()
    log = PageLog()
    log.attach(page)
    workspace = "t" + secrets.token_hex(4)
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{relpath}?reset"))
    page.wait_for_function(
        """(path) => {
            const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            return !!(w && w.context && w.context.path === path && w.content && w.content.widgets);
        }""",
        arg=relpath,
        timeout=timeout * 1000,
    )
    page.evaluate(
        """async () => {
            const app = window.jupyterapp;
            const nb = app.shell.currentWidget;
            await nb.context.ready;
            await nb.sessionContext.ready;
            if (!app.shell.leftCollapsed) app.shell.collapseLeft();
            if (!app.shell.rightCollapsed) app.shell.collapseRight();
        }"""
    )
    page.wait_for_function(
        """() => {
            const s = window.jupyterapp.shell.currentWidget.sessionContext;
            return !!(s.session && s.session.kernel && s.session.kernel.status === 'idle');
        }""",
        timeout=timeout * 1000,
    )
    return page, log


def run_all(page, timeout: float) -> None:
    """Run All, as a learner does (``notebook:run-all-cells``), and wait until it has finished."""
    run_command(page, "notebook:run-all-cells", timeout)


def run_cell(page, index: int, timeout: float) -> None:
    """Select code cell ``index`` and run it (Shift+Enter without moving on); wait for it."""
    page.evaluate(
        "(i) => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = i; }", index
    )
    run_command(page, "notebook:run-cell", timeout)


def run_command(page, command: str, timeout: float) -> None:
    """Execute a JupyterLab notebook ``command`` that runs cells and wait until it has finished.

    "Finished" is counted, not guessed from the prompts: every execute request the page sent has
    its reply (``ok``, ``error``, or ``aborted`` after an untagged error stopped the run) and the
    kernel is idle. The prompts cannot tell: after the first error reply, even one from a cell
    tagged ``raises-exception`` whose error does not stop the run, JupyterLab 4.6 clears the
    ``[*]`` of every queued cell while the kernel goes on running them.
    """
    page.evaluate(_RUN_JS, command)
    try:
        page.wait_for_function(
            """() => {
                const run = window.__jxsRun;
                const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                return run.sent > 0 && run.replied >= run.sent && k.status === 'idle';
            }""",
            timeout=timeout * 1000,
            polling=100,
        )
    finally:
        page.evaluate("() => window.__jxsRun && window.__jxsRun.stop()")
    # widget views render asynchronously after the kernel went idle
    with contextlib.suppress(Exception):
        page.wait_for_function(
            """() => !Array.from(document.querySelectorAll('.jp-OutputArea-output'))
                .some((n) => n.textContent.includes('Loading widget'))""",
            timeout=10_000,
            polling=200,
        )
    page.wait_for_timeout(500)


_RUN_JS = """
(command) => {
    const app = window.jupyterapp;
    const kernel = app.shell.currentWidget.sessionContext.session.kernel;
    const run = { sent: 0, replied: 0 };
    const count = (_, args) => {
        const type = args.msg.header.msg_type;
        if (args.direction === 'send' && type === 'execute_request') run.sent += 1;
        if (args.direction === 'recv' && type === 'execute_reply') run.replied += 1;
    };
    kernel.anyMessage.connect(count);
    run.stop = () => kernel.anyMessage.disconnect(count);
    window.__jxsRun = run;
    // not awaited: its promise settles at the first error reply, before the run is over
    app.commands.execute(command).catch(() => {});
}
"""


_COLLECT_JS = """
(mime) => {
  const nb = window.jupyterapp.shell.currentWidget;
  const problems = [];
  // text, or an element that shows something without text
  const visual = 'img,canvas,svg,input,button,select,textarea,video,iframe,table';
  const shownText = (n) => {
    // textContent minus <style>/<script> (every jaxscope view inlines its stylesheet)
    let t = '';
    const walk = document.createTreeWalker(n, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) {
      const p = walk.currentNode.parentElement;
      if (p && p.closest('style,script')) continue;
      t += walk.currentNode.nodeValue;
    }
    return t.trim();
  };
  const meaningful = (n) => !!(shownText(n) || n.querySelector(visual));
  // The view's own stylesheet is applied and JupyterLab's rendered-HTML rules do not win over it
  // (they right-align table cells and make <pre> break inside words).
  const RIGHT_ALIGNED = '.jxs-num, .jxs-trace-ln';
  const styleProblems = (v) => {
    const found = [];
    if (!getComputedStyle(v).getPropertyValue('--jxs-fg').trim()) {
      found.push('unstyled: its inline stylesheet was not applied (untrusted output?)');
      return found;
    }
    const cells = Array.from(v.querySelectorAll('td, th')).slice(0, 300);
    const right = cells.filter((c) => !c.matches(RIGHT_ALIGNED)
      && ['right', 'end'].includes(getComputedStyle(c).textAlign));
    if (right.length) {
      found.push(`${right.length} table cell(s) right-aligned, e.g. ` +
        `<${right[0].tagName.toLowerCase()} class="${right[0].className}">`);
    }
    const broken = Array.from(v.querySelectorAll('pre')).slice(0, 300)
      .filter((p) => getComputedStyle(p).wordBreak === 'break-all');
    if (broken.length) found.push(`${broken.length} <pre> break inside words (break-all)`);
    return found;
  };
  const stats = { codeCells: 0, executed: 0, widgets: 0, views: [] };
  nb.content.widgets.forEach((cell, ci) => {
    if (cell.model.type !== 'code') return;
    const src = cell.model.sharedModel.getSource();
    if (!src.trim()) return;
    stats.codeCells += 1;
    const tags = cell.model.getMetadata('tags') || [];
    const raises = tags.includes('raises-exception');
    const first = src.trim().split('\\n')[0].slice(0, 70);
    const where = `cell ${ci} (${first})`;
    if (cell.model.executionCount == null) {
      problems.push(`${where}: not executed (Run All stopped at an earlier error?)`);
    } else {
      stats.executed += 1;
    }
    const outputs = cell.model.outputs;
    const children = cell.outputArea ? cell.outputArea.widgets : [];
    for (let i = 0; i < outputs.length; i++) {
      const out = outputs.get(i);
      const json = out.toJSON();
      if (json.output_type === 'error' && !raises) {
        problems.push(`${where}: error output ${json.ename}: ${String(json.evalue).slice(0, 300)}`);
      }
      const child = children[i];
      if (!child) continue;
      const rendered = child.node.querySelector('.jp-OutputArea-output') || child.node;
      const text = rendered.textContent || '';
      const isWidget = !!(json.data && json.data[mime]);
      if (isWidget) {
        stats.widgets += 1;
        if (text.includes('Error displaying widget')) {
          problems.push(`${where}: output ${i}: "Error displaying widget"`);
        }
        if (text.includes('Loading widget')) {
          problems.push(`${where}: output ${i}: widget stuck at "Loading widget..."`);
        }
        if (rendered.querySelector('.jupyter-widgets-error-widget')) {
          problems.push(`${where}: output ${i}: widget error view: ${text.trim().slice(0, 200)}`);
        }
        if (rendered.children.length === 0 || !meaningful(rendered)) {
          problems.push(`${where}: output ${i}: widget rendered nothing (empty node)`);
        }
      } else if (json.output_type !== 'error' && !meaningful(rendered)) {
        const kinds = Object.keys(json.data || {}).join(', ') || json.output_type;
        problems.push(`${where}: output ${i}: rendered empty (${kinds})`);
      }
      for (const v of rendered.querySelectorAll('.jxs')) {
        const kind = Array.from(v.classList).find((c) => c.startsWith('jxs-'));
        stats.views.push(kind || 'jxs');
        if (!meaningful(v)) {
          problems.push(`${where}: output ${i}: view ${kind} is empty`);
        }
        for (const p of styleProblems(v)) {
          problems.push(`${where}: output ${i}: view ${kind}: ${p}`);
        }
      }
    }
  });
  return { problems, stats };
}
"""


@dataclass
class Report:
    """What one notebook run found."""

    problems: list[str]
    stats: dict
    screenshots: list[Path] = field(default_factory=list)

    def message(self) -> str:
        return "\n".join(["browser check failed:", *(f"  - {p}" for p in self.problems)])


def collect(page, log: PageLog) -> Report:
    """Every problem visible on the page now, plus the JS errors seen so far."""
    found = page.evaluate(_COLLECT_JS, WIDGET_MIME)
    return Report(problems=list(log.errors) + found["problems"], stats=found["stats"])


# --- screenshots -------------------------------------------------------------------------------
@contextlib.contextmanager
def tall_viewport(page):
    """Grow the viewport to the notebook's full height (capped), scrolled to the top.

    JupyterLab scrolls inside the notebook panel, so a full-page screenshot would show only one
    screen; with a viewport as tall as the content every cell and view is on screen at once.
    """
    height = page.evaluate(
        """() => {
            const nb = window.jupyterapp.shell.currentWidget;
            const scroller = nb.content.node.querySelector('.jp-WindowedPanel-outer')
                || nb.content.node;
            const cells = nb.content.widgets;
            const box = scroller.getBoundingClientRect();
            if (!cells.length) return Math.ceil(box.bottom);
            // bottom of the last cell, not scrollHeight (which adds scroll-past-end space)
            const last = cells[cells.length - 1].node.getBoundingClientRect();
            const chrome = window.innerHeight - box.bottom;  // status bar below the notebook
            return Math.ceil(last.bottom + scroller.scrollTop + chrome + 40);
        }"""
    )
    old = page.viewport_size or VIEWPORT
    page.set_viewport_size(
        {"width": old["width"], "height": max(old["height"], min(height, MAX_SHOT_HEIGHT))}
    )
    try:
        page.evaluate(
            """async () => {
                const nb = window.jupyterapp.shell.currentWidget;
                const s = nb.content.node.querySelector('.jp-WindowedPanel-outer')
                    || nb.content.node;
                s.scrollTop = 0;
                await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            }"""
        )
        page.wait_for_timeout(300)
        yield
    finally:
        page.set_viewport_size(old)


def screenshots(page, folder: Path, prefix: str) -> list[Path]:
    """``<prefix>.png``, the whole notebook, then one ``<prefix>__jxs-<kind>.png`` per jaxscope
    view kind on the page (its first view), all taken in one :func:`tall_viewport`."""
    folder.mkdir(parents=True, exist_ok=True)
    shots = [folder / f"{prefix}.png"]
    with tall_viewport(page):
        page.screenshot(path=str(shots[0]))
        seen: set[str] = set()
        for handle in page.query_selector_all(".jp-OutputArea-output .jxs"):
            classes = (handle.get_attribute("class") or "").split()
            kind = next((c for c in classes if c.startswith("jxs-")), "jxs-view")
            if kind in seen:
                continue
            seen.add(kind)
            shots.append(folder / f"{prefix}__{kind}.png")
            handle.screenshot(path=str(shots[-1]))
    return shots


# --- the kernel ------------------------------------------------------------------------------
def kernel_exec(page, code: str, timeout: float = 30.0) -> str:
    """Run ``code`` in the notebook's kernel (not as a cell); return its stdout (and errors)."""
    return page.evaluate(
        """async ([code, ms]) => {
            const nb = window.jupyterapp.shell.currentWidget;
            const kernel = nb.sessionContext.session.kernel;
            const future = kernel.requestExecute({ code, silent: false, store_history: false });
            let out = '';
            future.onIOPub = (msg) => {
                const t = msg.header.msg_type;
                if (t === 'stream') out += msg.content.text;
                else if (t === 'error') out += `ERROR ${msg.content.ename}: ${msg.content.evalue}`;
            };
            const timer = new Promise((_, no) => setTimeout(() => no(new Error('timeout')), ms));
            await Promise.race([future.done, timer]);
            return out;
        }""",
        [code, int(timeout * 1000)],
    )


def wait_kernel_value(page, code: str, expected, timeout: float = 10.0) -> str:
    """Poll ``code`` in the kernel until its printed output (stripped) is ``expected``."""
    deadline = time.monotonic() + timeout
    while True:
        out = kernel_exec(page, code).strip()
        if (expected(out) if callable(expected) else out == expected) or (
            time.monotonic() > deadline
        ):
            return out
        time.sleep(0.2)


def set_theme(page, theme: str) -> None:
    """Switch the JupyterLab theme and wait until it is applied."""
    light = "true" if "Light" in theme else "false"
    page.evaluate(
        "(t) => window.jupyterapp.commands.execute('apputils:change-theme', { theme: t })", theme
    )
    page.wait_for_function(
        "(l) => document.body.dataset.jpThemeLight === l", arg=light, timeout=30_000
    )
    page.wait_for_timeout(500)
