"""``js.check(exercise_id, answer)``: run an exercise's check and show the result.

Interactively the result is a small view (passed / failed with expected vs yours and a hint /
not attempted) and nothing raises, so Run All goes on. Under the curriculum check
(``JAXSCOPE_STRICT=1``) a failed or unattempted exercise raises :class:`ExerciseNotPassed`, which
fails the notebook cell. Every result (id, title, status, message, hint) is appended as one JSON
line to the file named by ``JAXSCOPE_PROGRESS_FILE`` when that is set.
"""

from __future__ import annotations

import dis
import inspect
import json
import os
from typing import Any

from ._errors import first_lines
from ._explain import safe_str
from ._view import View, esc
from .exercises import CheckFailure, NotAttempted, get

STRICT_ENV = "JAXSCOPE_STRICT"
PROGRESS_ENV = "JAXSCOPE_PROGRESS_FILE"

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
_MARKS = {PASSED: "✔", FAILED: "✘", NOT_ATTEMPTED: "…"}


class ExerciseNotPassed(AssertionError):
    """Raised by ``check`` under ``JAXSCOPE_STRICT=1`` when an exercise is not passed."""


class CheckView(View):
    """The outcome of one exercise check."""

    kind = "check"
    styles = ("check",)

    def text(self) -> str:
        d = self.data
        lines = [f"{_MARKS[d['status']]} {d['id']} ({d['title']}): {d['status']}"]
        if d["message"]:
            lines.append(f"  {d['message']}")
        if d["expected"]:
            lines.append(f"  expected: {d['expected']}")
        if d["yours"]:
            lines.append(f"  yours:    {d['yours']}")
        if d["hint"]:
            lines.append(f"  hint: {d['hint']}")
        return "\n".join(lines)

    def html_body(self) -> str:
        d = self.data
        status = d["status"].replace(" ", "-")
        parts = [
            f'<div class="jxs-check-box jxs-check-{status}">'
            f'<span class="jxs-check-mark">{_MARKS[d["status"]]}</span> '
            f"<b>{esc(d['status'])}</b> <code>{esc(d['id'])}</code> "
            f'<span class="jxs-muted">{esc(d["title"])}</span>'
        ]
        if d["message"]:
            parts.append(f'<div class="jxs-check-msg">{esc(d["message"])}</div>')
        if d["expected"] or d["yours"]:
            parts.append('<table class="jxs-table jxs-check-diff">')
            for label in ("expected", "yours"):
                if d[label]:
                    parts.append(f"<tr><th>{label}</th><td><code>{esc(d[label])}</code></td></tr>")
            parts.append("</table>")
        if d["hint"]:
            parts.append(f'<div class="jxs-check-hint"><b>Hint:</b> {esc(d["hint"])}</div>')
        parts.append("</div>")
        return "".join(parts)


_NO_OPS = {"RESUME", "NOP", "PUSH_NULL", "PRECALL", "CACHE"}


def only_raises_not_implemented(answer: Any) -> bool:
    """True for a workspace stub: a function (jitted or not), or a class's ``__init__``, whose
    body does nothing but raise NotImplementedError, so that checking it needs no inputs."""
    fn = answer.__init__ if isinstance(answer, type) else answer
    try:
        code = inspect.unwrap(fn).__code__
    except (AttributeError, TypeError, ValueError):
        return False
    ops = [op for op in dis.get_instructions(code) if op.opname not in _NO_OPS]
    if len(ops) < 2 or ops[-1].opname != "RAISE_VARARGS":
        return False
    return [op.argval for op in ops[:-1]] == ["NotImplementedError"]


def evaluate(exercise_id: str, answer: Any) -> dict[str, str]:
    """Run the check of ``exercise_id`` on ``answer``; the outcome as plain data."""
    ex = get(exercise_id)
    result = {
        "id": ex.id,
        "title": ex.title,
        "status": PASSED,
        "message": "",
        "expected": "",
        "yours": "",
        "hint": "",
    }
    try:
        if only_raises_not_implemented(answer):
            raise NotAttempted  # the stub: the check need not build its inputs to say so
        ex.check(answer)
    except NotAttempted:
        result.update(
            status=NOT_ATTEMPTED,
            message=f"replace the stub with your code for {ex.answer_name}, then run this again",
        )
    except CheckFailure as failure:
        result.update(
            status=FAILED,
            message=failure.message,
            expected=failure.expected,
            yours=failure.yours,
            hint=failure.hint or ex.hint,
        )
    except NotImplementedError:
        result.update(status=NOT_ATTEMPTED, message="your answer still raises NotImplementedError")
    except Exception as exc:  # noqa: BLE001 - a learner's answer may break a check in any way
        said = first_lines(safe_str(exc), 2)
        result.update(
            status=FAILED,
            message=f"checking your answer raised {type(exc).__name__}: {said}",
            hint=ex.hint,
        )
    return result


def _record(result: dict[str, str]) -> None:
    path = os.environ.get(PROGRESS_ENV)
    if not path:
        return
    fields = {key: result.get(key) or "" for key in ("id", "title", "status", "message", "hint")}
    line = json.dumps(fields, sort_keys=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def strict() -> bool:
    """True under the curriculum check (``JAXSCOPE_STRICT=1``)."""
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes"}


def check(exercise_id: str, answer: Any) -> CheckView:
    """Check ``answer`` for the exercise ``exercise_id`` and show how it did.

    Arguments:
      exercise_id: e.g. ``"t01-immutable-arrays-1"`` (unknown ids raise ``ValueError`` naming
        close ones).
      answer: what the exercise asks for, usually your function itself (not its result).

    Returns a view: passed, failed (what differed, expected vs yours, a hint) or not attempted.
    Under ``JAXSCOPE_STRICT=1`` anything but passed raises :class:`ExerciseNotPassed` instead.
    """
    result = evaluate(exercise_id, answer)
    _record(result)
    view = CheckView(result)
    if strict() and result["status"] != PASSED:
        raise ExerciseNotPassed(view.text())
    return view
