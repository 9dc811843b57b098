"""The exercise registry: one module per cheat-sheet table (``t01`` ...), each defining exercises.

An :class:`Exercise` holds what a notebook needs (prompt, stub, hints), what the tests need (a
``reference`` solution, other correct ``alternatives`` and the ``mistakes`` learners really
make) and the ``checker`` that ``js.check`` runs. ``get(id)`` finds one; ``all_exercises()``
lists them in curriculum order.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from ._support import CheckFailure, NotAttempted

__all__ = [
    "CheckFailure",
    "Exercise",
    "Mistake",
    "NotAttempted",
    "all_exercises",
    "get",
    "ids",
    "table_of",
]


def _table_modules() -> list[str]:
    """The modules holding each table's exercises (``t01``, ``t02``...), in curriculum order."""
    import pkgutil

    names = [m.name for m in pkgutil.iter_modules(__path__)]
    return sorted(n for n in names if len(n) == 3 and n[0] == "t" and n[1:].isdigit())


@dataclass(frozen=True)
class Mistake:
    """A wrong answer learners really write: ``code`` defines ``answer_name``; ``hint`` is what
    the check must say about it."""

    name: str
    code: str
    hint: str


@dataclass(frozen=True)
class Exercise:
    """One self-checking exercise, trained on one cheat-sheet concept."""

    id: str
    concept: str
    title: str
    prompt: str
    difficulty: int
    answer_name: str
    stub: str
    reference: str
    hints: tuple[str, ...]
    mistakes: tuple[Mistake, ...]
    checker: Callable[[Any], None] = field(repr=False)
    # correct answers written differently from the reference (each defines answer_name): the
    # check must accept every one of them
    alternatives: tuple[str, ...] = ()

    @property
    def table(self) -> int:
        return table_of(self.id)


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
    reg = _registry()
    if exercise_id in reg:
        return reg[exercise_id]
    close = difflib.get_close_matches(exercise_id, list(reg), n=5, cutoff=0.5)
    if not close:
        prefix = exercise_id.split("-", 1)[0]
        close = [i for i in reg if i.startswith(prefix + "-")][:5]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(f"unknown exercise id {exercise_id!r}{hint}")
