"""Where an exercise sits in a notebook: a code cell holding its solution between the lines
``### BEGIN SOLUTION`` and ``### END SOLUTION``, and the next code cell, which calls
``js.check("<exercise-id>", <answer>)``. Read from a notebook object or from its MyST text source
(the exercises' reference solutions are read this way, without jupytext)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"

_CHECK_RE = re.compile(
    r"""\bcheck\(\s*(?P<q>["'])(?P<id>[^"'\n]+)(?P=q)\s*,\s*(?P<answer>[^)]*?)\s*\)"""
)


@dataclass(frozen=True)
class ExerciseCell:
    """Where one exercise sits in a source notebook."""

    exercise_id: str
    solution_cell: int
    check_cell: int
    answer: str
    solution_code: str


def cell_source(cell: Any) -> str:
    """A cell's source as one string (nbformat keeps a list of lines or a string)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def check_calls(nb: Any) -> list[tuple[int, str, str]]:
    """``(cell index, exercise id, answer expression)`` of every ``check("id", answer)`` call."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for m in _CHECK_RE.finditer(cell_source(cell)):
                found.append((i, m.group("id"), m.group("answer")))
    return found


def find_exercises(nb: Any, name: str = "notebook") -> list[ExerciseCell]:
    """The exercises of a source notebook: each solution cell and the check cell after it."""
    return _exercises_in(
        [(i, cell_source(c)) for i, c in enumerate(nb.cells) if c.cell_type == "code"], name
    )


# A code cell of a notebook written as MyST Markdown, as jupytext writes it (its metadata lines,
# if any, come first and never hold a solution marker).
_MYST_CODE_CELL_RE = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)


def exercises_in_text(text: str, name: str = "notebook") -> list[ExerciseCell]:
    """:func:`find_exercises` of a notebook's MyST text source, read without jupytext (whose
    import takes seconds): cell numbers count code cells only."""
    cells = [m.group(1) for m in _MYST_CODE_CELL_RE.finditer(text)]
    return _exercises_in(list(enumerate(cells)), name)


def _exercises_in(code_cells: list[tuple[int, str]], name: str) -> list[ExerciseCell]:
    out = []
    for pos, (i, src) in enumerate(code_cells):
        if SOLUTION_BEGIN not in src:
            continue
        nxt = code_cells[pos + 1] if pos + 1 < len(code_cells) else None
        calls = _CHECK_RE.search(nxt[1]) if nxt is not None else None
        if calls is None:
            raise ValueError(
                f"{name}, cell {i}: a solution cell must be followed by a code cell calling "
                'js.check("<exercise-id>", <answer>)'
            )
        out.append(
            ExerciseCell(calls.group("id"), i, nxt[0], calls.group("answer"), _solution_block(src))
        )
    return out


def _block_bounds(lines: list[str], where: str) -> tuple[int, int]:
    begin = [k for k, ln in enumerate(lines) if ln.strip() == SOLUTION_BEGIN]
    end = [k for k, ln in enumerate(lines) if ln.strip() == SOLUTION_END]
    if len(begin) != 1 or len(end) != 1 or end[0] < begin[0]:
        raise ValueError(
            f"{where}: expected one '{SOLUTION_BEGIN}' line followed by one '{SOLUTION_END}' line"
        )
    return begin[0], end[0]


def _solution_block(source: str, where: str = "solution cell") -> str:
    lines = source.splitlines()
    b, e = _block_bounds(lines, where)
    return "\n".join(lines[b + 1 : e]) + "\n"


def replace_solution(source: str, stub: str, where: str = "solution cell") -> str:
    """``source`` with its solution block (markers included) replaced by ``stub``."""
    lines = source.splitlines()
    b, e = _block_bounds(lines, where)
    indent = lines[b][: len(lines[b]) - len(lines[b].lstrip())]
    stub_lines = [indent + ln if ln.strip() else ln for ln in stub.rstrip("\n").splitlines()]
    return "\n".join(lines[:b] + stub_lines + lines[e + 1 :])
