"""The curriculum check of a learner's workspace: where they stand, in seconds.

``python -m jaxscope progress [--workspace DIR] [NOTEBOOK ...]`` runs every workspace notebook
that holds exercises in a fresh process (two at a time by default), with ``JAXSCOPE_STRICT=1`` and
a results file that ``js.check`` appends to, and prints one line per table as its notebook is
done, then the total and the next exercise to do with the hint of its last failed check.

* **Fast.** Each notebook runs in an IPython shell in a fork of a worker that has imported JAX
  and jaxscope once (:func:`warm_worker`), not in a Jupyter kernel started afresh; off Linux
  (no ``fork`` on Windows, an unsafe one on macOS) in a kernel. XLA compiles with
  :data:`FAST_COMPILE_FLAG`.

* **Only what changed runs.** A notebook whose code cells are the same as at its last check,
  under the same jaxscope, JAX and Python, keeps that check's results. ``--all`` runs every
  notebook again; naming notebooks checks just those.
* **The record** ``DIR/jaxscope-progress.json`` (:data:`RECORD_NAME`) holds, per exercise, its
  status, the hint of its last failed check and when it was checked, with the versions. It is
  written atomically; the class dashboard reads it through the learner's own server.
* **Nothing of the learner's changes**: notebooks are executed in memory, never saved.
* **Exit status** 0 whenever the check ran, whatever the count; 2 when it could not check (no
  workspace, nothing to check); with ``--strict``, 1 while an exercise is not passed.

Statuses: ``passed``, ``failed``, ``not attempted`` (the stub is still there) and ``not run``
(its notebook stopped before the check, or could not be run).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import nbformat

from ._build import environ_sharing_gpu, find_notebooks, jax_cache_env
from ._solution_cells import check_calls
from ._workspace import atomic_write, source_notebooks

RECORD_NAME = "jaxscope-progress.json"
RECORD_FORMAT = "jaxscope-progress"
RECORD_VERSION = 1
COURSE = "jaxscope-cheatsheet"
PASSED, FAILED, NOT_ATTEMPTED, NOT_RUN = "passed", "failed", "not attempted", "not run"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED, NOT_RUN)
NOTEBOOK_TIMEOUT = 900  # seconds a cell may run
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TABLE = re.compile(r"t(\d\d)-")
_REQUIRED = ("format", "version", "course", "checked_at", "versions", "tables", "exercises")
_EXERCISE_FIELDS = ("id", "table", "notebook", "status", "hint")


def record_path(ws: Path | str) -> Path:
    """Where the progress record of workspace ``ws`` lives."""
    return Path(ws) / RECORD_NAME


def versions() -> dict[str, str]:
    """The versions a check ran under; results of another version are checked again."""
    from importlib.metadata import PackageNotFoundError, version

    from ._version import __version__

    try:
        jax_version = version("jax")
    except PackageNotFoundError:  # pragma: no cover - jax is a dependency
        jax_version = "missing"
    return {"jaxscope": __version__, "jax": jax_version, "python": platform.python_version()}


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- reading what the kernels and earlier checks wrote ------------------------------------


def read_results(path: Path | str) -> dict[str, dict[str, str]]:
    """Exercise id -> ``{"status", "hint"}`` from a results file ``js.check`` appended to.

    The last record of an id wins, except that a pass stands; lines that are not records are
    skipped.
    """
    results: dict[str, dict[str, str]] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return results
    for line in text.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not (isinstance(rec, dict) and isinstance(rec.get("id"), str)):
            continue
        if results.get(rec["id"], {}).get("status") == PASSED:
            continue
        status = str(rec.get("status", ""))
        hint = str(rec.get("hint") or "") if status == FAILED else ""
        results[rec["id"]] = {"status": status, "hint": hint, "title": str(rec.get("title") or "")}
    return results


def read_record(source: Path | str) -> dict[str, Any]:
    """A progress record, from its path or its JSON text, checked field by field.

    Raises ``ValueError`` naming what is wrong: unreadable, not JSON, another format or course, a
    newer version, a missing or mistyped field.
    """
    is_text = isinstance(source, str) and source.lstrip()[:1] in ("{", "[")
    if isinstance(source, Path) or (isinstance(source, str) and not is_text):
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as err:
            raise ValueError(f"cannot read the progress record {str(source)!r}: {err}") from None
    elif isinstance(source, str):
        text = source
    else:
        raise TypeError(f"source must be a path or JSON text, got {type(source).__name__}")
    try:
        rec = json.loads(text)
    except ValueError as err:
        raise ValueError(f"the progress record is not JSON: {err}") from None
    if not isinstance(rec, dict):
        raise ValueError("the progress record is not a JSON object")
    missing = [key for key in _REQUIRED if key not in rec]
    if missing:
        raise ValueError(f"the progress record lacks {', '.join(missing)}")
    if rec["format"] != RECORD_FORMAT:
        raise ValueError(f"not a jaxscope progress record (format {rec['format']!r})")
    if rec["course"] != COURSE:
        raise ValueError(f"a record of another course ({rec['course']!r}, not {COURSE!r})")
    if not isinstance(rec["version"], int) or rec["version"] > RECORD_VERSION:
        raise ValueError(f"record version {rec['version']!r} is newer than this jaxscope reads")
    if not isinstance(rec["exercises"], list) or not isinstance(rec["tables"], list):
        raise ValueError("the progress record's exercises and tables must be lists")
    for n, ex in enumerate(rec["exercises"]):
        if not isinstance(ex, dict) or any(key not in ex for key in _EXERCISE_FIELDS):
            raise ValueError(f"exercise {n} of the progress record lacks one of {_EXERCISE_FIELDS}")
        if ex["status"] not in STATUSES:
            raise ValueError(f"exercise {ex['id']!r} has an unknown status {ex['status']!r}")
    return rec


def _previous(ws: Path) -> tuple[dict[str, Any], str]:
    """The workspace's last record (empty if none) and why it could not be used ('' if it could)."""
    path = record_path(ws)
    if not path.exists():
        return {}, ""
    try:
        return read_record(path), ""
    except ValueError as err:
        return {}, f"{RECORD_NAME} was not usable and is written afresh ({err})"


# ---- the model ------------------------------------------------------------------------------


def fingerprint(nb: Any) -> str:
    """What a notebook's results depend on: its code cells and the versions they ran under."""
    digest = hashlib.sha256(json.dumps(versions(), sort_keys=True).encode())
    for cell in nb.cells:
        if cell.cell_type == "code":
            digest.update(b"\0" + cell.source.encode("utf-8"))
    return digest.hexdigest()


def exercise_ids(nb: Any) -> list[str]:
    """The exercise ids a notebook's ``js.check`` calls name, in order, each once."""
    return list(dict.fromkeys(ex_id for _, ex_id, _ in check_calls(nb)))


def _title(ex_id: str) -> str:
    from .exercises import get

    try:
        return get(ex_id).title
    except (ValueError, TypeError):
        return "(unknown exercise id)"


def _table(notebook: str, ex_id: str) -> int:
    """The table of an exercise from its id (``t05-...`` -> 5, as ``exercises.table_of`` says,
    without importing the exercises and JAX), else from its notebook's number."""
    match = _TABLE.match(ex_id) or _TABLE.match("t" + notebook)
    return int(match.group(1)) if match else 0


def summarize(
    notebooks: Iterable[tuple[str, list[str]]], results: dict[str, dict[str, dict[str, str]]]
) -> dict[str, Any]:
    """The progress model from ``(notebook, exercise ids)`` pairs and results per notebook.

    An exercise found in several notebooks (a renamed copy beside a fresh one) counts once, under
    the first notebook that holds it, and passes when it passed in any of them.
    """
    merged: dict[str, dict[str, str]] = {}
    for per_notebook in results.values():
        for ex_id, result in per_notebook.items():
            if merged.get(ex_id, {}).get("status") != PASSED:
                merged[ex_id] = result
    tables: dict[int, dict[str, Any]] = {}
    for notebook, ex_ids in notebooks:
        for ex_id in ex_ids:
            if any(ex_id == e["id"] for t in tables.values() for e in t["exercises"]):
                continue
            n = _table(notebook, ex_id)
            entry = tables.setdefault(
                n, {"table": n, "notebook": notebook, "passed": 0, "total": 0, "exercises": []}
            )
            result = merged.get(ex_id, {})
            status = result.get("status") if result.get("status") in STATUSES else NOT_RUN
            entry["exercises"].append(
                {
                    "id": ex_id,
                    "table": n,
                    "notebook": notebook,
                    "title": result.get("title") or _title(ex_id),
                    "status": status,
                    "hint": result.get("hint", "") if status == FAILED else "",
                    "checked_at": result.get("checked_at", ""),
                }
            )
            entry["total"] += 1
            entry["passed"] += status == PASSED
    ordered = [tables[n] for n in sorted(tables)]
    upcoming = next(
        (dict(ex) for t in ordered for ex in t["exercises"] if ex["status"] != PASSED), None
    )
    return {
        "tables": ordered,
        "passed": sum(t["passed"] for t in ordered),
        "total": sum(t["total"] for t in ordered),
        "next": upcoming,
    }


def table_line(entry: dict[str, Any], width: int) -> str:
    """One table's line: number, notebook, passed/total and a bar."""
    bar = "#" * entry["passed"] + "." * (entry["total"] - entry["passed"])
    done = "  done" if entry["passed"] == entry["total"] else ""
    return (
        f"  table {entry['table']:02d}  {entry['notebook']:<{width}}  "
        f"{entry['passed']}/{entry['total']}  [{bar}]{done}"
    )


def render_total(model: dict[str, Any]) -> str:
    """The total and what to do next, with the hint of its last failed check."""
    if not model["tables"]:
        return "No exercises found in the workspace's notebooks."
    lines = [f"Exercises passed: {model['passed']} of {model['total']}"]
    nxt = model["next"]
    if nxt is None:
        lines.append("All exercises passed. Well done!")
    else:
        lines.append(
            f"Next: table {nxt['table']:02d}, exercise {nxt['id']} ({nxt['title']}) in "
            f"{nxt['notebook']}: {nxt['status']}"
        )
        if nxt.get("hint"):
            lines.append(f"  hint: {nxt['hint']}")
    return "\n".join(lines)


def render(model: dict[str, Any]) -> str:
    """The whole progress model as text: a line per table, the total and what is next."""
    if not model["tables"]:
        return render_total(model)
    width = max(len(t["notebook"]) for t in model["tables"])
    lines = [table_line(t, width) for t in model["tables"]]
    return "\n".join([*lines, render_total(model)])


def summary_text(ws: Path | str, results_file: Path | str) -> str:
    """The summary of a plain ``pytest --nbval-lax`` run of a workspace (its conftest calls it)."""
    notebooks = []
    for path in source_notebooks(Path(ws)):
        try:
            notebooks.append((path.name, exercise_ids(nbformat.read(path, as_version=4))))
        except Exception:  # noqa: BLE001 - an unreadable notebook has no countable checks
            notebooks.append((path.name, []))
    return render(summarize(notebooks, {"run": read_results(results_file)}))


# ---- running notebooks ----------------------------------------------------------------------


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


class CellTimeout(BaseException):
    """A cell ran past its time (a ``BaseException``, so the learner's ``except Exception`` does
    not swallow it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise CellTimeout


def warm_worker(env: dict[str, str]) -> None:
    """Start a check worker: the kernel environment, then the imports every notebook makes, once.

    Each notebook then runs in a fork of this process (:func:`run_notebook`), so it does not pay
    for a kernel's start and for importing JAX, NumPy, IPython and jaxscope again (about 5 s a
    notebook, a third of the check on two cores). Importing JAX starts no backend, so a notebook
    still chooses its devices (``jax.config.update("jax_num_cpu_devices", 8)``) as in a kernel.
    """
    os.environ.update(env)
    os.environ.setdefault("MPLBACKEND", "Agg")  # no kernel to show figures in
    import jax  # noqa: F401
    import numpy  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401

    import jaxscope  # noqa: F401


def _run_cells(nb: Any, folder: str, timeout: int) -> dict[str, Any]:
    """Run a notebook's code cells in an IPython shell in this process, as a kernel would
    (magics, ``display``, ``_``), its output discarded; return the errors and any problem."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # nothing written to the learner's IPython profile
    shell = InteractiveShell.instance(config=config)
    os.chdir(folder)
    sys.path.insert(0, folder)
    signal.signal(signal.SIGALRM, _on_alarm)
    errors, problem = [], ""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        signal.alarm(timeout)
        try:
            result = shell.run_cell(cell.source, store_history=True)
        except CellTimeout:  # raised outside the learner's code: still the cell's time
            result = None
        finally:
            signal.alarm(0)
        err = result.error_in_exec or result.error_before_exec if result else CellTimeout()
        if isinstance(err, CellTimeout):
            problem = f"CellTimeoutError: cell {index} ran past {timeout} s"
            break
        if err is not None and type(err).__name__ != "ExerciseNotPassed":
            errors.append(
                {
                    "cell": index,
                    "error": f"{type(err).__name__}: {err}",
                    "traceback": "".join(
                        traceback.format_exception(type(err), err, err.__traceback__)
                    ),
                }
            )
    return {"errors": errors, "problem": problem}


def _run_forked(nb: Any, folder: str, timeout: int) -> dict[str, Any]:
    """Run ``nb`` in a child of this (warm) process; the child's end is its report."""
    fd, report = tempfile.mkstemp(prefix="jaxscope-run-", suffix=".json")
    os.close(fd)
    pid = os.fork()
    if pid == 0:  # the child: run, write the report, leave without running any cleanup
        code = 1
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            outcome = _run_cells(nb, folder, timeout)
            Path(report).write_text(json.dumps(outcome), encoding="utf-8")
            code = 0
        finally:
            os._exit(code)
    try:
        _, status = os.waitpid(pid, 0)
        text = Path(report).read_text(encoding="utf-8")
    finally:
        os.unlink(report)
    if text:
        return json.loads(text)
    how = f"signal {-os.waitstatus_to_exitcode(status)}" if os.WIFSIGNALED(status) else "an error"
    return {"errors": [], "problem": f"DeadKernelError: the notebook's process died ({how})"}


def _run_in_kernel(nb: Any, folder: str, timeout: int, env: dict[str, str]) -> dict[str, Any]:
    """Run ``nb`` in a fresh Jupyter kernel (off Linux: Windows has no ``fork``, and macOS
    does not promise a forked process works once frameworks are loaded)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": folder}},
    )
    problem = ""
    try:
        # the kernel's own log lines (stderr) are not the learner's business
        client.execute(env={**os.environ, **env}, stderr=subprocess.DEVNULL)
    except (CellTimeoutError, DeadKernelError) as err:
        problem = f"{type(err).__name__}: {str(err).strip().splitlines()[0]}"
    errors = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and output.get("ename") != (
                "ExerciseNotPassed"
            ):
                errors.append(
                    {
                        "cell": index,
                        "error": f"{output.get('ename')}: {output.get('evalue')}",
                        "traceback": "\n".join(output.get("traceback", [])),
                    }
                )
    return {"errors": errors, "problem": problem}


def run_notebook(path: str, timeout: int = NOTEBOOK_TIMEOUT) -> dict[str, Any]:
    """Execute one notebook (in memory: the file is not written), in a worker started by
    :func:`warm_worker`.

    Returns its results per exercise, the errors of cells that raised something other than a
    check that did not pass, and the seconds taken.
    """
    start = time.perf_counter()
    fd, results_file = tempfile.mkstemp(prefix="jaxscope-results-", suffix=".jsonl")
    os.close(fd)
    os.environ["JAXSCOPE_PROGRESS_FILE"] = results_file
    try:
        nb = nbformat.read(path, as_version=4)
        folder = str(Path(path).resolve().parent)
        if sys.platform.startswith("linux"):
            outcome = _run_forked(nb, folder, timeout)
        else:  # pragma: no cover - no fork (Windows), or fork unsafe after imports (macOS)
            outcome = _run_in_kernel(nb, folder, timeout, {"JAXSCOPE_PROGRESS_FILE": results_file})
        results = read_results(results_file)
    finally:
        os.unlink(results_file)
    checked_at = _now()
    for result in results.values():
        result["checked_at"] = checked_at
    return {
        "results": results,
        **outcome,
        "seconds": round(time.perf_counter() - start, 1),
        "checked_at": checked_at,
    }


# XLA's CPU compiler takes about 40% less time over the course's many small programs with its
# older fusion code generator: the same fusions, emitted without the newer MLIR pipeline. The
# check's notebooks run for their exercises' results, which it leaves alone, so it takes that
# option; a learner's own kernels keep XLA's default. An XLA that does not know the flag aborts
# at start, so it is passed only to the jaxlib releases known to have it.
FAST_COMPILE_FLAG = "--xla_cpu_use_fusion_emitters=false"
FAST_COMPILE_JAXLIB = "0.10."


def _xla_flags(current: str, jaxlib: str) -> str:
    """``XLA_FLAGS`` for the check's kernels: the learner's own, plus the fast-compile flag
    where this jaxlib knows it and the learner did not choose otherwise."""
    name = FAST_COMPILE_FLAG.split("=")[0]
    if not jaxlib.startswith(FAST_COMPILE_JAXLIB) or name in current:
        return current
    return f"{current} {FAST_COMPILE_FLAG}".strip()


def _kernel_env(ws: Path) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    env = environ_sharing_gpu()
    env.update(JAXSCOPE_STRICT="1", JAXSCOPE_PROGRESS_QUIET="1")
    env.update(jax_cache_env(ws / ".jax-cache"))  # a re-check loads compiled programs from disk
    try:
        jaxlib = version("jaxlib")
    except PackageNotFoundError:  # pragma: no cover - jax always comes with jaxlib
        jaxlib = ""
    flags = _xla_flags(env.get("XLA_FLAGS", ""), jaxlib)
    if flags:
        env["XLA_FLAGS"] = flags
    return env


def check_workspace(
    ws: Path | str,
    names: list[str] | tuple[str, ...] = (),
    *,
    jobs: int | None = None,
    rerun_all: bool = False,
    reporter: Any = None,
) -> dict[str, Any]:
    """Check workspace ``ws`` and write its record; return the record.

    Notebooks whose code cells and versions are unchanged since the last check keep their
    results (unless ``rerun_all``); ``names`` limits the run to those notebooks (the others keep
    theirs). A ``reporter`` hears ``start(notebook names)`` and then ``done(name, state)`` for
    each notebook as it is done. Raises ``ValueError`` when there is nothing to check.
    """
    ws = Path(ws)
    if not ws.is_dir():
        raise ValueError(
            f"workspace {str(ws)!r} does not exist; create it with `python -m jaxscope workspace`"
        )
    paths = source_notebooks(ws)
    picked = find_notebooks(list(names), ws) if names else paths
    chosen = {path.resolve() for path in picked}
    previous, record_note = _previous(ws)
    before = previous.get("notebooks", {})
    notes = [record_note] if record_note else []
    notebooks: list[tuple[str, list[str]]] = []
    states: dict[str, dict[str, Any]] = {}
    to_run: list[Path] = []
    for path in paths:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as err:  # noqa: BLE001 - any damage: name it, check the rest
            notes.append(f"{path.name} could not be read, so it was not checked ({err})")
            continue
        ex_ids = exercise_ids(nb)
        if not ex_ids:
            continue  # nothing to count (the start page, or not a course notebook)
        notebooks.append((path.name, ex_ids))
        state = {"fingerprint": fingerprint(nb), "exercises": ex_ids}
        old = before.get(path.name, {})
        if path.resolve() not in chosen:
            states[path.name] = {**old, **state, "skipped": "not checked this time"}
        elif old.get("fingerprint") == state["fingerprint"] and not rerun_all:
            states[path.name] = {**old, **state, "skipped": "unchanged"}
        else:
            states[path.name] = state
            to_run.append(path)
    if not notebooks:
        raise ValueError(f"no notebook in {str(ws)!r} holds an exercise (js.check) to check")
    if reporter:
        reporter.start([name for name, _ in notebooks])
        for name, state in states.items():
            if state.get("skipped"):
                reporter.done(name, state)
    env = _kernel_env(ws)
    jobs = max(1, jobs or min(4, os.cpu_count() or 1))
    if to_run:
        with ProcessPoolExecutor(
            min(jobs, len(to_run)),
            mp_context=get_context("spawn"),
            initializer=warm_worker,
            initargs=(env,),
        ) as pool:
            futures = {pool.submit(run_notebook, str(p)): p.name for p in to_run}
            for future in as_completed(futures):
                name = futures[future]
                try:
                    outcome = future.result()
                except Exception as err:  # noqa: BLE001 - a worker that died: name it, go on
                    outcome = {"results": {}, "errors": [], "problem": f"could not run: {err}"}
                states[name].update(outcome)
                if reporter:
                    reporter.done(name, states[name])
    for name, state in states.items():
        if state.get("problem") and not state.get("skipped"):
            notes.append(f"{name}: {state['problem']}")
    model = summarize(notebooks, {name: s.get("results", {}) for name, s in states.items()})
    record = {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "course": COURSE,
        "checked_at": _now(),
        "versions": versions(),
        "passed": model["passed"],
        "total": model["total"],
        "tables": [
            {key: t[key] for key in ("table", "notebook", "passed", "total")}
            for t in model["tables"]
        ],
        "next": model["next"],
        "exercises": [ex for t in model["tables"] for ex in t["exercises"]],
        "notebooks": {
            name: {k: v for k, v in state.items() if k not in ("skipped", "errors")}
            for name, state in states.items()
        },
        "notes": notes + _renamed_copies(notebooks),
    }
    text = json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write(record_path(ws), text.encode("utf-8"))
    record["model"] = model
    record["errors"] = {name: s.get("errors", []) for name, s in states.items()}
    return record


def _renamed_copies(notebooks: list[tuple[str, list[str]]]) -> list[str]:
    """A note for each notebook whose exercises another notebook holds too (a renamed copy)."""
    first: dict[str, str] = {}
    notes = []
    for name, ex_ids in notebooks:
        shared = sorted({first[i] for i in ex_ids if i in first})
        if shared:
            notes.append(f"{name} holds exercises of {', '.join(shared)} too; each counts once")
        for ex_id in ex_ids:
            first.setdefault(ex_id, name)
    return notes


# ---- the command ----------------------------------------------------------------------------


class Reporter:
    """Prints each table's line as soon as its notebook and every one before it are done, so
    the lines come in table order while notebooks run in parallel; on a terminal a status line
    below them says how far the check is."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.order: list[str] = []
        self.states: dict[str, dict[str, Any]] = {}
        self.printed = 0
        self.began = time.perf_counter()
        self.closed = False

    def start(self, names: list[str]) -> None:
        self.order = list(names)
        self.width = max((len(n) for n in self.order), default=0)

    def done(self, name: str, state: dict[str, Any]) -> None:
        self.states[name] = state
        self.finish()
        while self.printed < len(self.order) and self.order[self.printed] in self.states:
            self._write(self._line(self.order[self.printed]) + "\n")
            self.printed += 1
        if self.tty and self.printed < len(self.order):
            self._write(
                f"  … {len(self.states)} of {len(self.order)} notebooks checked, "
                f"{time.perf_counter() - self.began:.0f} s"
            )

    def finish(self) -> None:
        """Erase the status line (on a terminal)."""
        if self.tty:
            self._write("\r\x1b[K")

    def _write(self, text: str) -> None:
        """Write and flush; a reader that went away (``| head``) must not stop the check."""
        if self.closed:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (BrokenPipeError, ValueError):
            self.closed = True

    def _line(self, name: str) -> str:
        state = self.states[name]
        results, ex_ids = state.get("results", {}), state["exercises"]
        entry = {
            "table": _table(name, ex_ids[0]),
            "notebook": name,
            "passed": sum(results.get(i, {}).get("status") == PASSED for i in ex_ids),
            "total": len(ex_ids),
        }
        how = state.get("skipped") or f"ran in {state.get('seconds', 0):.0f} s"
        return f"{table_line(entry, self.width)}  ({how})"


def failures_text(record: dict[str, Any], color: bool) -> str:
    """What ``-v`` adds: each exercise not passed with its hint, and cells that raised."""
    lines = []
    for ex in record["exercises"]:
        if ex["status"] != PASSED:
            lines.append(f"{ex['status']:>13}  {ex['id']} ({ex['notebook']})")
            if ex.get("hint"):
                lines.append(f"{'':>15}hint: {ex['hint']}")
    for name, errors in record.get("errors", {}).items():
        for err in errors:
            lines.append(f"\n{name}, cell {err['cell']} raised {err['error']}")
            traceback = err["traceback"] if color else _strip_ansi(err["traceback"])
            lines.extend("    " + line for line in traceback.splitlines())
    return "\n".join(lines)


def main(args: Any) -> int:
    """``python -m jaxscope progress``: check, print, write the record; the exit status."""
    ws = Path(args.workspace)
    try:
        if not ws.is_dir():
            raise ValueError(
                f"workspace {str(ws)!r} does not exist; create it with "
                "`python -m jaxscope workspace`"
            )
        reporter = Reporter()
        record = check_workspace(
            ws, args.notebooks, jobs=args.jobs, rerun_all=args.all, reporter=reporter
        )
    except ValueError as err:
        print(f"jaxscope progress: {err}", file=sys.stderr)
        return 2
    reporter.finish()
    if args.verbose:
        text = failures_text(record, color=reporter.tty)
        if text:
            print(text)
    print(render_total(record["model"]))
    for note in record["notes"]:
        print(f"note: {note}")
    if args.strict and record["passed"] < record["total"]:
        return 1
    return 0
