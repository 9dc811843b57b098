"""The curriculum check: run the workspace notebooks under nbval and sum up progress per table.

``python -m jaxscope progress`` runs ``pytest --nbval-lax`` on the workspace with
``JAXSCOPE_STRICT=1`` (an unpassed exercise fails its cell) and a progress file that
``js.check`` appends to, then prints passed / total per table and what to do next. The exercises
counted are those whose ``js.check`` calls appear in the workspace's notebooks; one that never
ran (its notebook stopped early, say) counts as not passed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from ._build import environ_sharing_gpu, jax_cache_env
from ._workspace import check_calls, source_notebooks

NOT_RUN = "not run"


def read_progress(path: Path | str) -> dict[str, str]:
    """Exercise id -> status from a progress file (JSON lines).

    The last record of an id wins, except that a pass stands: when the workspace holds two copies
    of a notebook (the learner renamed one and a fresh one was generated), solving it in either
    counts.
    """
    statuses: dict[str, str] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return statuses
    for line in text.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and isinstance(rec.get("id"), str):
            if statuses.get(rec["id"]) != "passed":
                statuses[rec["id"]] = str(rec.get("status", ""))
    return statuses


def workspace_exercises(ws: Path | str) -> list[tuple[str, list[str]]]:
    """``(notebook name, exercise ids in order)`` for each notebook of the workspace."""
    out = []
    for path in source_notebooks(Path(ws)):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - a broken learner notebook has no countable checks
            out.append((path.name, []))
            continue
        seen: list[str] = []
        for _, ex_id, _ in check_calls(nb):
            if ex_id not in seen:
                seen.append(ex_id)
        out.append((path.name, seen))
    return out


def _title(ex_id: str) -> str:
    from .exercises import get

    try:
        return get(ex_id).title
    except (ValueError, TypeError):
        return "(unknown exercise id)"


def _table(notebook: str, ex_id: str) -> int:
    from .exercises import table_of

    try:
        return table_of(ex_id)
    except ValueError:
        head = notebook.split("-", 1)[0]
        return int(head) if head.isdigit() else 0


def summarize(ws: Path | str, statuses: dict[str, str]) -> dict[str, Any]:
    """The progress model: per table (passed, total, exercises) and the next exercise to do.

    An exercise found in several notebooks (a renamed copy beside a fresh one) counts once, under
    the first notebook that holds it.
    """
    tables: dict[int, dict[str, Any]] = {}
    counted: set[str] = set()
    for notebook, ex_ids in workspace_exercises(ws):
        for ex_id in ex_ids:
            if ex_id in counted:
                continue
            counted.add(ex_id)
            n = _table(notebook, ex_id)
            entry = tables.setdefault(
                n, {"table": n, "notebook": notebook, "passed": 0, "total": 0, "exercises": []}
            )
            status = statuses.get(ex_id, NOT_RUN)
            entry["exercises"].append({"id": ex_id, "title": _title(ex_id), "status": status})
            entry["total"] += 1
            entry["passed"] += status == "passed"
    ordered = [tables[n] for n in sorted(tables)]
    upcoming = None
    for entry in ordered:
        for ex in entry["exercises"]:
            if ex["status"] != "passed":
                upcoming = {"table": entry["table"], **ex}
                break
        if upcoming:
            break
    return {
        "tables": ordered,
        "passed": sum(t["passed"] for t in ordered),
        "total": sum(t["total"] for t in ordered),
        "next": upcoming,
    }


def render(model: dict[str, Any]) -> str:
    """The progress model as text."""
    if not model["tables"]:
        return "No exercises found in the workspace's notebooks."
    lines = [f"Exercises passed: {model['passed']} of {model['total']}"]
    width = max(len(t["notebook"]) for t in model["tables"])
    for t in model["tables"]:
        bar = "#" * t["passed"] + "." * (t["total"] - t["passed"])
        done = "  done" if t["passed"] == t["total"] else ""
        lines.append(
            f"  table {t['table']:02d}  {t['notebook']:<{width}}  "
            f"{t['passed']}/{t['total']}  [{bar}]{done}"
        )
    nxt = model["next"]
    if nxt is None:
        lines.append("All exercises passed. Well done!")
    else:
        lines.append(
            f"Next: table {nxt['table']:02d}, exercise {nxt['id']} ({nxt['title']}): "
            f"{nxt['status']}"
        )
    return "\n".join(lines)


def summary_text(ws: Path | str, progress_file: Path | str) -> str:
    """The summary of a finished run, from its workspace and progress file."""
    return render(summarize(ws, read_progress(progress_file)))


def run_check(
    ws: Path | str, pytest_args: list[str] | tuple[str, ...] = (), quiet: bool = False
) -> tuple[int, dict[str, Any]]:
    """Run the curriculum check on workspace ``ws``; pytest's exit code and the progress model."""
    ws = Path(ws)
    if not ws.is_dir():
        raise ValueError(
            f"workspace {str(ws)!r} does not exist; create it with `python -m jaxscope workspace`"
        )
    fd, progress = tempfile.mkstemp(prefix="jaxscope-progress-", suffix=".jsonl")
    os.close(fd)
    env = environ_sharing_gpu()
    env.update(JAXSCOPE_STRICT="1", JAXSCOPE_PROGRESS_FILE=progress, JAXSCOPE_PROGRESS_QUIET="1")
    env.update(jax_cache_env(ws / ".jax-cache"))  # a re-check loads compiled programs from disk
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "--nbval-current-env",
        "-p",
        "no:cacheprovider",
        "-q",
        "--ignore-glob=*.updated.ipynb",
        *pytest_args,
        str(ws),
    ]
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            stdout=subprocess.DEVNULL if quiet else None,
            stderr=subprocess.DEVNULL if quiet else None,
            check=False,
        )
        model = summarize(ws, read_progress(progress))
    finally:
        os.unlink(progress)
    return proc.returncode, model


# --- the progress record (interim copy of the lead's schema; main's version replaces it) -------
RECORD_NAME = "jaxscope-progress.json"
RECORD_FORMAT = "jaxscope-progress"
COURSE = "jaxscope-cheatsheet"
_RECORD_FIELDS = ("version", "checked_at", "passed", "total", "tables", "next", "exercises")


def record_path(workspace: Path | str) -> Path:
    """Where the progress record of ``workspace`` lives."""
    return Path(workspace) / RECORD_NAME


def read_record(path_or_text: Path | str) -> dict[str, Any]:
    """The progress record from a file (a Path) or its text (a str); ValueError names what is
    wrong with it."""
    if isinstance(path_or_text, Path):
        try:
            text = Path(path_or_text).read_text(encoding="utf-8")
        except OSError as err:
            raise ValueError(f"cannot read the progress record: {err}") from None
    else:
        text = str(path_or_text)
    try:
        rec = json.loads(text)
    except ValueError as err:
        raise ValueError(f"the progress record is not JSON ({err})") from None
    if not isinstance(rec, dict) or rec.get("format") != RECORD_FORMAT:
        raise ValueError(f"not a progress record (format is not {RECORD_FORMAT!r})")
    if rec.get("course") != COURSE:
        raise ValueError(f"a record of another course ({rec.get('course')!r}, not {COURSE!r})")
    for name in _RECORD_FIELDS:
        if name not in rec:
            raise ValueError(f"the progress record has no {name!r} field")
    return rec
