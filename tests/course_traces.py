"""Run the course's own code (cheat-sheet examples, exercise reference solutions, the notebooks'
``js.trace`` cells) and trace every function it jits with ``js.trace``: the sharp-bit notes each
one gets, for the no-false-alarm test of the detector."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import linecache
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jax

from jaxscope._trace_view import trace_model

ROOT = Path(__file__).resolve().parent.parent
_USER_FILE = re.compile(r"^<(cheatsheet|answer|cell) ")


def register_source(filename: str, source: str) -> None:
    """Make ``source`` findable by ``inspect`` under ``filename``, as IPython does for cells."""
    lines = [ln + "\n" for ln in source.splitlines()]
    linecache.cache[filename] = (len(source), None, lines, filename)


def _kinds(notes: list[dict]) -> list[tuple[str, int | None]]:
    return [(n["kind"], n["line"]) for n in notes]


class _Spy:
    """Stands in for a jitted function: traces the Python function behind it with js.trace on its
    first call with concrete arguments, then calls the real jitted function."""

    def __init__(self, jitted: Any, fun: Any, options: dict, seen: dict):
        self._jitted, self._fun, self._options, self._seen = jitted, fun, options, seen

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = id(self._fun)
        leaves = jax.tree_util.tree_leaves((args, kwargs))
        if key not in self._seen and not any(isinstance(x, jax.core.Tracer) for x in leaves):
            code = getattr(self._fun, "__code__", None)
            if code is not None and _USER_FILE.match(code.co_filename):
                opts = {
                    k: self._options[k]
                    for k in ("static_argnums", "static_argnames")
                    if self._options.get(k) is not None
                }
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        model = trace_model(
                            self._fun,
                            args,
                            kwargs,
                            opts.get("static_argnums", ()),
                            opts.get("static_argnames", ()),
                        )
                    self._seen[key] = (code.co_name, _kinds(model["notes"]))
                except (TypeError, ValueError):  # arguments js.trace cannot trace: no notes
                    self._seen[key] = (code.co_name, [])
        return self._jitted(*args, **kwargs)

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return self if obj is None else functools.partial(self, obj)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._jitted, name)


@contextlib.contextmanager
def spying() -> Iterator[dict]:
    """While active, every ``jax.jit`` of the learner's code is traced by js.trace on first use;
    yields ``{id: (function name, [(kind, line), ...])}``."""
    real = jax.jit
    seen: dict = {}

    def jit(fun: Callable | None = None, *args: Any, **options: Any) -> Any:
        if fun is None:
            return functools.partial(jit, *args, **options)
        return _Spy(real(fun, *args, **options), fun, options, seen)

    real_make_jaxpr = jax.make_jaxpr

    def make_jaxpr(fun: Callable, *args: Any, **options: Any) -> Any:
        spy = _Spy(real_make_jaxpr(fun, *args, **options), fun, options, seen)
        return functools.wraps(fun)(spy) if hasattr(fun, "__name__") else spy

    jax.jit, jax.make_jaxpr = jit, make_jaxpr
    try:
        yield seen
    finally:
        jax.jit, jax.make_jaxpr = real, real_make_jaxpr


def cheatsheet_notes(table: int | None = None) -> dict[str, list]:
    """``{"cheatsheet:<id>": [(function, kind, line)...]}`` over every runnable example (of one
    table) that jits or makes a jaxpr."""
    from jaxscope import _cheatsheet as cs

    out = {}
    for c in cs.concepts():
        if table is not None and c.table != table:
            continue
        if (
            cs.missing_requirements(c)
            or c.devices > 1
            or not re.search(r"jit|make_jaxpr", c.example)
        ):
            continue
        filename = f"<cheatsheet {c.id}>"
        register_source(filename, c.example)
        ns: dict[str, Any] = {"__name__": f"_course_{c.id.replace('-', '_')}"}
        with spying() as seen, contextlib.redirect_stdout(io.StringIO()):
            try:
                exec(compile(c.example, filename, "exec"), ns)
            except Exception:  # noqa: BLE001 - a failing example is test_cheatsheet's business
                pass
        out[f"cheatsheet:{c.id}"] = _flatten(seen)
    return out


def exercise_notes(table: int | None = None) -> dict[str, list]:
    """``{"exercise:<id>": [...]}``: each reference solution (of one table), run through its own
    check."""
    import numpy as np

    import jaxscope as js
    from jaxscope.exercises import all_exercises

    out = {}
    for ex in all_exercises():
        if table is not None and ex.table != table:
            continue
        filename = f"<answer {ex.id}>"
        register_source(filename, ex.reference)
        ns: dict[str, Any] = {"jax": jax, "jnp": jax.numpy, "np": np, "js": js}
        with spying() as seen, contextlib.redirect_stdout(io.StringIO()):
            exec(compile(ex.reference, filename, "exec"), ns)
            answer = ns[ex.answer_name]
            if callable(answer) and not isinstance(answer, _Spy):
                answer = _Spy(answer, answer, {}, seen)
            try:
                ex.check(answer)
            except Exception:  # noqa: BLE001 - the reference passing is test_exercises' business
                pass
        out[f"exercise:{ex.id}"] = _flatten(seen)
    return out


def notebook_notes() -> dict[str, list]:
    """``{"notebook:<name>:<cell>": [...]}`` for each ``js.trace`` cell, run after the cells
    before it (cells that fail are skipped, as a learner running them in order would see)."""
    import jaxscope as js

    out = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        sources = ["".join(c["source"]) for c in cells]
        last = max((i for i, s in enumerate(sources) if "js.trace(" in s), default=-1)
        if last < 0:
            continue
        ns: dict[str, Any] = {}
        for i, source in enumerate(sources[: last + 1]):
            code = "\n".join(ln for ln in source.splitlines() if ln.lstrip()[:1] not in "%!")
            filename = f"<cell {path.stem}:{i}>"
            register_source(filename, code)
            views: list = []
            real_trace = js.trace

            def recording(*args: Any, _views=views, _trace=real_trace, **kwargs: Any) -> Any:
                view = _trace(*args, **kwargs)
                _views.append(view)
                return view

            js.trace = recording
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(code, filename, "exec"), ns)
            except Exception:  # noqa: BLE001
                pass
            finally:
                js.trace = real_trace
            for view in views:
                key = f"notebook:{path.stem}:{i}"
                out[key] = [(view.data["name"], k, ln) for k, ln in _kinds(view.data["notes"])]
    return out


def _flatten(seen: dict) -> list:
    return sorted((name, kind, line) for name, notes in seen.values() for kind, line in notes)


if __name__ == "__main__":
    import sys
    import time

    for part in sys.argv[1:] or ["cheatsheet", "exercise", "notebook"]:
        t = time.time()
        found = globals()[f"{part}_notes"]()
        noisy = {k: v for k, v in found.items() if v}
        print(part, len(found), "runs", f"{time.time() - t:.0f}s", "with notes:", len(noisy))
        for k, v in noisy.items():
            print("  ", k, v)
