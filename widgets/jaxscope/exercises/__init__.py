"""The exercise registry: one module per cheat-sheet table (``t01`` ...), each defining exercises.

An :class:`Exercise` is one record: the answer's ``signature`` (which names it and makes the
stub), the ``reference`` solution (the notebook's solution cell holds the same code), the inputs
and the JAX semantics that :func:`~._support.run_record` checks, hints, and a bespoke
``checker`` only where a record cannot say it. The prompt lives in the notebook only; wrong and
other correct answers live in ``tests/exercise_answers/``. ``get(id)`` finds one;
``all_exercises()`` lists them in curriculum order.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from ._support import CheckFailure, NotAttempted, Spec, run_record, stub_for

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
    shared runner checks, or a bespoke ``checker``."""

    id: str
    title: str
    signature: str
    reference: str
    hints: tuple[str, ...]
    checker: Callable[[Any], None] | None = None
    spec: Spec | None = None
    stub: str = ""

    def __post_init__(self) -> None:
        if (self.checker is None) == (self.spec is None):
            raise ValueError(f"exercise {self.id!r} needs exactly one of checker= and spec=")
        if not self.stub:
            object.__setattr__(self, "stub", stub_for(self.signature))

    @property
    def answer_name(self) -> str:
        """The name the answer is defined under (``set_first`` for ``set_first(x, v)``)."""
        return self.signature.split("(", 1)[0]

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
