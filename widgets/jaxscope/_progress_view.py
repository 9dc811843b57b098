"""The learner's own progress: what is done and what is next, read from the progress record.

``progress(workspace=".")`` reads ``jaxscope-progress.json`` (written by
``python -m jaxscope progress``) and returns a :class:`ProgressView`. In a workspace notebook the
default folder is the workspace itself. Text form::

    jaxscope progress (checked 2026-12-02T07:10:00Z)
      table 01  01-core-concepts.ipynb  1/5  [#....]
      ...
    Exercises passed: 1 of 98
    Next: table 01, exercise t01-immutable-arrays-1 (Update an array) in 01-...ipynb: failed
      hint: <the hint of the last failed check>

(the summary lines are those of ``python -m jaxscope progress``).

A workspace without a record yet says how to make one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._progress import read_record, record_path, render, render_total
from ._view import View, esc

NO_RECORD = (
    "No progress record yet: run `python -m jaxscope progress --workspace <workspace>` "
    "(or solve an exercise and run the check)."
)


def progress_model(record: dict[str, Any] | None) -> dict[str, Any]:
    """The view's data from a progress record (``None``: no record yet); the dashboard shows
    the same. Raises ValueError when its tables or next exercise are malformed."""
    if record is None:
        return {"record": False, "passed": 0, "total": 0, "tables": [], "next": None}
    try:
        tables = [
            {
                "table": int(t["table"]),
                "notebook": str(t["notebook"]),
                "passed": int(t["passed"]),
                "total": int(t["total"]),
            }
            for t in record["tables"]
        ]
        nxt = record.get("next")
        if nxt is not None:
            nxt = {"table": int(nxt["table"])} | {
                k: str(nxt.get(k) or "") for k in ("id", "title", "notebook", "status", "hint")
            }
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(
            f"the progress record's tables or next exercise are malformed ({err!r})"
        ) from None
    return {
        "record": True,
        "checked_at": str(record["checked_at"]),
        "passed": sum(t["passed"] for t in tables),
        "total": sum(t["total"] for t in tables),
        "tables": tables,
        "next": nxt,
    }


class ProgressView(View):
    """Exercises passed per table and the next exercise, from the learner's progress record."""

    kind = "progress"
    styles = ("progress",)

    def text(self) -> str:
        d = self.data
        if not d["record"]:
            return f"jaxscope progress\n{NO_RECORD}"
        return f"jaxscope progress (checked {d['checked_at']})\n{render(d)}"

    def html_body(self) -> str:
        d = self.data
        if not d["record"]:
            return f"<p>{esc(NO_RECORD)}</p>"
        head = (
            f'<div class="jxs-progress-head"><strong>{d["passed"]} of {d["total"]}</strong> '
            f"exercises passed <span>(checked {esc(d['checked_at'])})</span></div>"
        )
        rows = "".join(
            f'<tr><th scope="row">{t["table"]:02d}</th><td class="jxs-mono">{esc(t["notebook"])}'
            f'</td><td><progress max="{t["total"]}" value="{t["passed"]}"></progress> '
            f"{t['passed']}/{t['total']}{' done' if t['passed'] == t['total'] else ''}</td></tr>"
            for t in d["tables"]
        )
        table = (
            '<table class="jxs-table jxs-progress-table"><thead><tr><th>table</th>'
            f"<th>notebook</th><th>passed</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        nxt = d["next"]
        if nxt is None:
            tail = "<p>All exercises passed. Well done!</p>"
        else:
            hint = f"<br><em>hint:</em> {esc(nxt['hint'])}" if nxt["hint"] else ""
            line = render_total(d).splitlines()[1]
            tail = f'<p class="jxs-progress-next">{esc(line)}{hint}</p>'
        return head + table + tail


def progress(workspace: Path | str = ".") -> ProgressView:
    """The learner's progress in ``workspace`` (default: the current folder).

    Raises ValueError naming what is wrong when the record is corrupt or of another course.
    """
    path = record_path(workspace)
    return ProgressView(progress_model(read_record(path) if path.exists() else None))
