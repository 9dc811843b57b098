"""The exercise registry: one module per cheat-sheet table (``t01`` ...), each defining exercises.

An :class:`Exercise` is one record: the inputs and the JAX semantics that
:func:`~._support.run_record` checks, and a bespoke ``checker`` only where a record cannot say
it. Its words (title, hint, the hints for known mistakes) are prose in ``tNN.toml`` beside the
module. The prompt and the reference solution live in the notebook only: the solution cell of
``notebooks/NN-slug.md`` is the reference, its ``def`` line the signature (which makes the stub)
and its check cell names the answer. Wrong and other correct answers live in
``tests/exercise_answers/``. ``get(id)`` finds one; ``all_exercises()`` lists them in curriculum
order.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import import_module
from typing import Any

from ._support import CheckFailure, NotAttempted, Spec, run_record, stub_for, words_of

__all__ = [
    "CheckFailure",
    "Exercise",
    "NotAttempted",
    "Spec",
    "all_exercises",
    "get",
    "ids",
    "table_of",
]


@cache
def _table_modules() -> list[str]:
    """The modules holding each table's exercises (``t01``, ``t02``...), in curriculum order."""
    import pkgutil

    names = [m.name for m in pkgutil.iter_modules(__path__)]
    return sorted(n for n in names if len(n) == 3 and n[0] == "t" and n[1:].isdigit())


@dataclass(frozen=True)
class Exercise:
    """One self-checking exercise, trained on one cheat-sheet concept: either a ``spec`` that the
    shared runner checks, or a bespoke ``checker``. ``call`` and ``stub`` are given only where the
    solution's own definition does not show how the answer is called (a class, a jitted lambda).
    Its title and hint are the ``[id]`` table of the module's ``tNN.toml``."""

    id: str
    checker: Callable[[Any], None] | None = None
    spec: Spec | None = None
    call: str = ""
    stub: str = ""

    def __post_init__(self) -> None:
        if (self.checker is None) == (self.spec is None):
            raise ValueError(f"exercise {self.id!r} needs exactly one of checker= and spec=")

    @property
    def title(self) -> str:
        return self._words["title"]

    @property
    def hint(self) -> str:
        """The hint for a failure that no known mistake explains."""
        return self._words["hint"]

    @cached_property
    def _words(self) -> dict[str, str]:
        words = words_of(f"t{self.table:02d}")
        if self.id not in words:
            raise LookupError(
                f"exercise {self.id!r} has no [{self.id}] table in t{self.table:02d}.toml"
            )
        return words[self.id]

    @cached_property
    def _cell(self) -> Any:
        cells = notebook_solutions(self.table)
        if self.id not in cells:
            raise LookupError(
                f"exercise {self.id!r} has no solution cell in the notebook of table "
                f"{self.table:02d}: a ### BEGIN SOLUTION block followed by "
                f"js.check({self.id!r}, ...)"
            )
        return cells[self.id]

    @property
    def reference(self) -> str:
        """The reference solution: the code of the notebook's solution cell."""
        return self._cell.solution_code

    @property
    def answer_name(self) -> str:
        """The name the answer is defined under (``set_first``): what the check cell passes."""
        return self._cell.answer

    @cached_property
    def signature(self) -> str:
        """How the answer is called (``set_first(x, v)``), from the reference's definition."""
        return self.call or signature_of(self.reference, self.answer_name)

    @cached_property
    def starting_code(self) -> str:
        """The learner's stub: ``stub``, else a ``def`` of the signature that raises."""
        return self.stub or stub_for(self.signature)

    @property
    def concept(self) -> str:
        """The cheat-sheet concept (``immutable-arrays`` for ``t01-immutable-arrays-1``)."""
        return self.id.split("-", 1)[1].rsplit("-", 1)[0]

    @property
    def table(self) -> int:
        return table_of(self.id)

    def check(self, answer: Any) -> None:
        """Raise :class:`CheckFailure` or :class:`NotAttempted` unless ``answer`` passes."""
        if self.checker is not None:
            self.checker(answer)
        else:
            run_record(self, answer)


def signature_of(code: str, name: str) -> str:
    """``name(params)`` of the function ``name`` that ``code`` defines."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return f"{name}({ast.unparse(node.args)})"
    raise ValueError(
        f"the solution defines no function {name!r}: give the exercise call='{name}(...)'"
    )


@cache
def notebook_solutions(table: int) -> dict[str, Any]:
    """The exercise cells (:class:`~jaxscope._workspace.ExerciseCell`) of table ``table``'s
    notebook, by exercise id, read from its text source."""
    from .._cheatsheet import notebooks_dir
    from .._solution_cells import exercises_in_text

    paths = sorted(notebooks_dir().glob(f"{table:02d}-*.md"))
    if not paths:
        raise FileNotFoundError(f"no notebook text source {table:02d}-*.md in {notebooks_dir()}")
    cells = exercises_in_text(paths[0].read_text(encoding="utf-8"), paths[0].name)
    return {c.exercise_id: c for c in cells}


def table_of(exercise_id: str) -> int:
    """The table number of an exercise id (``"t01-pure-functions-1"`` -> 1)."""
    head = exercise_id.split("-", 1)[0]
    if len(head) != 3 or head[0] != "t" or not head[1:].isdigit():
        raise ValueError(f"exercise id {exercise_id!r} does not start with tNN- (e.g. 't01-')")
    return int(head[1:])


_REGISTRY: dict[str, Exercise] | None = None


def _registry() -> dict[str, Exercise]:
    global _REGISTRY
    if _REGISTRY is None:
        found: dict[str, Exercise] = {}
        for name in _table_modules():
            for ex in import_module(f"{__name__}.{name}").EXERCISES:
                if ex.id in found:
                    raise RuntimeError(f"exercise id {ex.id!r} is defined twice")
                found[ex.id] = ex
        _REGISTRY = found
    return _REGISTRY


def ids() -> list[str]:
    """Every exercise id, in curriculum order."""
    return list(_registry())


def all_exercises() -> list[Exercise]:
    """Every exercise, in curriculum order."""
    return list(_registry().values())


def get(exercise_id: str) -> Exercise:
    """The exercise with this id; ``ValueError`` listing close ids when there is none."""
    if not isinstance(exercise_id, str):
        raise TypeError(
            f"exercise_id must be a string such as 't01-pure-functions-1', "
            f"got {type(exercise_id).__name__}"
        )
    table = f"t{exercise_id[1:3]}"
    if exercise_id[:1] == "t" and table in _table_modules():
        # a kernel checking one notebook's exercises imports only that table's module
        for ex in import_module(f"{__name__}.{table}").EXERCISES:
            if ex.id == exercise_id:
                return ex
    reg = _registry()
    close = difflib.get_close_matches(exercise_id, list(reg), n=5, cutoff=0.5)
    if not close:
        prefix = exercise_id.split("-", 1)[0]
        close = [i for i in reg if i.startswith(prefix + "-")][:5]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(f"unknown exercise id {exercise_id!r}{hint}")
