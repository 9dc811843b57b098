"""The learner workspace: copies of the course notebooks with solutions replaced by stubs.

Rules (``python -m jaxscope workspace``):

* An exercise is a code cell holding a block between the lines ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``. Its exercise id is taken from the **next code cell**, which must call
  ``js.check("<exercise-id>", <answer>)``. In the learner copy the block (markers included) is
  replaced by the exercise's ``stub``, indented like the BEGIN line; code around the block stays.
  The outputs and execution counts of the solution and check cells are cleared; every other cell
  is copied as it is, outputs included.
* ``workspace/.jaxscope-manifest.json`` records the sha256 of every file this module wrote. On
  regeneration a file is rewritten only when its current bytes still match the manifest (the
  learner has not touched it) and it is writable. A file the learner edited, or made read-only,
  is left byte for byte as it is; when the course has a newer version of it, that version is
  written beside it as ``NAME.updated.ipynb`` (ignored by the workspace's pytest run).
* A generated file the learner deleted is generated again (nothing of theirs is lost). When they
  renamed it instead, the renamed copy is left as it is and named in the report; progress counts
  an exercise once, passed when either copy passes it.
* ``--reset NAME`` copies the learner's notebook to ``.backups/NAME.<YYYYmmdd-HHMMSS>.ipynb``
  and then regenerates it, whatever its state.
* Every write goes to a temporary file in the same folder and is moved into place with
  ``os.replace``, so a failed write leaves the old file intact.
* Every notebook this module generates is signed as trusted in the learner's own Jupyter
  signature store (what ``jupyter trust`` does), so JupyterLab shows its stored views with their
  styles before anything has run. Only the generated content is signed: a copy the learner
  changes outside JupyterLab is not trusted until they run it. ``trust=False`` skips this.
* A ``conftest.py`` is written too: ``pytest --nbval-lax workspace`` then
  runs with ``JAXSCOPE_STRICT=1``, records progress and prints the summary per table.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._solution_cells import cell_source, check_calls, find_exercises, replace_solution

MANIFEST = ".jaxscope-manifest.json"
BACKUPS = ".backups"

CONFTEST = '''\
"""Curriculum check of this workspace (written by `python -m jaxscope workspace`).

`pytest --nbval-lax workspace` runs every notebook with JAXSCOPE_STRICT=1 in this Python
environment, so a failed or unattempted exercise fails its check cell, and prints your progress
per table at the end.
"""

import os
from pathlib import Path

_HERE = Path(__file__).parent
_OWN_PROGRESS_FILE = "JAXSCOPE_PROGRESS_FILE" not in os.environ
os.environ["JAXSCOPE_STRICT"] = "1"
os.environ.setdefault("JAXSCOPE_PROGRESS_FILE", str(_HERE / ".jaxscope-progress.jsonl"))

collect_ignore_glob = ["*.updated.ipynb", "*.updated.py"]


def pytest_configure(config):
    # run the notebooks with this Python (where jaxscope is installed), as --nbval-current-env
    if hasattr(config.option, "nbval_current_env") and not config.option.nbval_kernel_name:
        config.option.nbval_current_env = True


def pytest_sessionstart(session):
    if _OWN_PROGRESS_FILE and not hasattr(session.config, "workerinput"):
        Path(os.environ["JAXSCOPE_PROGRESS_FILE"]).write_text("", encoding="utf-8")


def pytest_terminal_summary(terminalreporter):
    if os.environ.get("JAXSCOPE_PROGRESS_QUIET") == "1":
        return
    from jaxscope._progress import summary_text

    terminalreporter.write_sep("=", "jaxscope progress")
    terminalreporter.write_line(summary_text(_HERE, os.environ["JAXSCOPE_PROGRESS_FILE"]))
'''


@dataclass
class Report:
    """What a workspace generation did, file by file (names relative to the workspace)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # "NAME (why)"
    backups: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = []
        for label, names in (
            ("created", self.created),
            ("updated", self.updated),
            ("restored (was missing: deleted or renamed)", self.restored),
            ("kept as you left it", self.kept),
            ("backed up", self.backups),
            ("unchanged", self.unchanged),
            ("FAILED", self.errors),
            ("note", self.warnings),
        ):
            for name in names:
                lines.append(f"{label}: {name}")
        return "\n".join(lines) if lines else "nothing to do"


# --- reading source notebooks -----------------------------------------------------------------


def _read(path: Path) -> Any:
    import nbformat  # here, not at the top: the exercise checks import this module

    return nbformat.read(path, as_version=4)


def _clear(cell: Any) -> None:
    cell["outputs"] = []
    cell["execution_count"] = None


def learner_notebook(nb: Any, name: str = "notebook") -> Any:
    """The learner's copy of a source notebook (stubs in place of solutions)."""
    from .exercises import get

    out = copy.deepcopy(nb)
    for ex in find_exercises(nb, name):
        try:
            stub = get(ex.exercise_id).starting_code
        except ValueError as err:
            raise ValueError(f"{name}, cell {ex.check_cell}: {err}") from None
        cell = out.cells[ex.solution_cell]
        where = f"{name}, cell {ex.solution_cell}"
        cell["source"] = replace_solution(cell_source(cell), stub, where)
        _clear(cell)
        _clear(out.cells[ex.check_cell])
    return out


def notebook_bytes(nb: Any) -> bytes:
    """A notebook serialised the way nbformat writes it (deterministic)."""
    import nbformat

    return (nbformat.writes(nb) + "\n").encode("utf-8")


# --- writing the workspace --------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_bytes(fh: Any, data: bytes) -> None:
    fh.write(data)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_bytes(fh, data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _read_manifest(ws: Path) -> dict[str, str]:
    try:
        data = json.loads((ws / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files", {})
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_manifest(ws: Path, manifest: dict[str, str]) -> None:
    body = {"version": 1, "files": dict(sorted(manifest.items()))}
    atomic_write(ws / MANIFEST, (json.dumps(body, indent=1) + "\n").encode("utf-8"))


def _updated_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.updated.{ext}" if dot else f"{name}.updated"


def _read_only(path: Path) -> bool:
    return not path.stat().st_mode & stat.S_IWUSR


def _place(
    ws: Path,
    name: str,
    data: bytes,
    manifest: dict[str, str],
    report: Report,
    force: bool = False,
) -> None:
    """Write one generated file unless the learner may have changed the one already there."""
    path = ws / name
    new_hash = sha256(data)
    recorded = manifest.get(name)
    try:
        if path.exists():
            current = sha256(path.read_bytes())
            if current == new_hash:
                manifest[name] = new_hash
                report.unchanged.append(name)
                return
            why = (
                "read-only"
                if _read_only(path)
                else ("edited" if recorded is None or current != recorded else "")
            )
            if why and not force:
                if new_hash != recorded:
                    side = _updated_name(name)
                    _place(ws, side, data, manifest, report)
                    report.kept.append(f"{name} ({why}; the new version is in {side})")
                else:
                    report.kept.append(f"{name} ({why})")
                return
            atomic_write(path, data)
            report.updated.append(name)
        else:
            atomic_write(path, data)
            (report.restored if recorded else report.created).append(name)
        manifest[name] = new_hash
    except OSError as err:
        report.errors.append(f"{name}: {err.strerror or err}")


def _backup(ws: Path, name: str, report: Report) -> bool:
    path = ws / name
    if not path.exists():
        return True
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = ws / BACKUPS / f"{stem}.{stamp}.ipynb"
    n = 1
    while target.exists():
        n += 1
        target = ws / BACKUPS / f"{stem}.{stamp}-{n}.ipynb"
    try:
        atomic_write(target, path.read_bytes())
    except OSError as err:
        report.errors.append(f"{name}: backup failed ({err.strerror or err}); not reset")
        return False
    report.backups.append(f"{name} -> {target.relative_to(ws)}")
    return True


def _copies_elsewhere(ws: Path, nb: Any, manifest: dict[str, str]) -> list[str]:
    """Notebooks in ``ws`` this module did not write that call ``check`` on ``nb``'s exercises."""
    ids = {ex_id for _, ex_id, _ in check_calls(nb)}
    found = []
    for path in source_notebooks(ws):
        if path.name in manifest or not ids:
            continue
        try:
            theirs = {ex_id for _, ex_id, _ in check_calls(_read(path))}
        except Exception:  # noqa: BLE001 - a learner's file may not be a readable notebook
            continue
        if theirs & ids:
            found.append(path.name)
    return found


def source_notebooks(source: Path) -> list[Path]:
    """The course notebooks in ``source`` (``*.ipynb``, sorted, checkpoints skipped)."""
    return sorted(p for p in Path(source).glob("*.ipynb") if not p.name.endswith(".updated.ipynb"))


def _trust(notebooks: list[bytes], report: Report) -> None:
    """Sign generated notebooks in the Jupyter signature store, so their stored outputs (views
    with inline styles) render as trusted; a failure costs only the styling, so it is a note."""
    import nbformat
    from nbformat.sign import NotebookNotary

    try:
        notary = NotebookNotary()
        for data in notebooks:
            notary.sign(nbformat.reads(data.decode("utf-8"), as_version=4))
    except Exception as err:  # noqa: BLE001 - e.g. a read-only or full Jupyter data folder
        report.warnings.append(
            f"could not mark the notebooks trusted ({type(err).__name__}: {err}); their stored "
            "views show unstyled until you run them (or run `jupyter trust` on them)"
        )


def generate(
    source: Path | str, dest: Path | str, reset: str | None = None, trust: bool = True
) -> Report:
    """Create or update the learner workspace ``dest`` from the notebooks in ``source``.

    ``reset`` names one notebook (with or without ``.ipynb``) to back up and regenerate;
    ``trust`` signs the generated notebooks as trusted (see the module docstring).
    """
    source, ws = Path(source), Path(dest)
    if not source.is_dir():
        raise ValueError(f"source {str(source)!r} is not a folder of notebooks; pass --source")
    notebooks = source_notebooks(source)
    report = Report()
    reset_name = None
    if reset is not None:
        reset_name = reset if reset.endswith(".ipynb") else f"{reset}.ipynb"
        reset_name = Path(reset_name).name
        if reset_name not in {p.name for p in notebooks}:
            names = ", ".join(p.stem for p in notebooks) or "none"
            raise ValueError(f"--reset {reset!r}: no such notebook in {source} (have: {names})")
        notebooks = [p for p in notebooks if p.name == reset_name]
    ws.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(ws)
    generated = []
    for nb_path in notebooks:
        nb = _read(nb_path)
        data = notebook_bytes(learner_notebook(nb, nb_path.name))
        generated.append(data)
        force = nb_path.name == reset_name
        if force and not _backup(ws, nb_path.name, report):
            continue
        _place(ws, nb_path.name, data, manifest, report, force=force)
        if nb_path.name in report.restored:
            for other in _copies_elsewhere(ws, nb, manifest):
                report.kept.append(f"{other} (holds the exercises of {nb_path.name}: renamed?)")
    if trust:
        _trust(generated, report)
    if reset_name is None:
        _place(ws, "conftest.py", CONFTEST.encode("utf-8"), manifest, report)
    try:
        _write_manifest(ws, manifest)
    except OSError as err:
        report.errors.append(f"{MANIFEST}: {err.strerror or err}")
    return report
