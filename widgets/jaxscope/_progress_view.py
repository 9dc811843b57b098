"""The learner's own progress: what is done and what is next, read from the progress record.

``progress(workspace=".")`` reads ``jaxscope-progress.json`` (written by
``python -m jaxscope progress``) and returns a :class:`ProgressView`. In a workspace notebook the
default folder is the workspace itself. Text form::

    jaxscope progress: 1 of 98 exercises passed (checked 2026-12-02T07:10:00Z)
      table 01  01-core-concepts.ipynb  1/5  [#....]
      ...
    Next: table 01, t01-immutable-arrays-1 (Update an array): failed
      hint: <the hint of the last failed check>

A workspace without a record yet says how to make one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._progress import read_record, record_path
from ._view import View, esc

NO_RECORD = (
    "No progress record yet: run `python -m jaxscope progress --workspace <workspace>` "
    "(or solve an exercise and run the check)."
)


def progress_model(record: dict[str, Any] | None) -> dict[str, Any]:
    """The view's data from a progress record (``None``: no record yet)."""
    if record is None:
        return {"record": False, "passed": 0, "total": 0, "tables": [], "next": None}
    tables = [
        {
            "table": int(t["table"]),
            "notebook": str(t["notebook"]),
            "passed": int(t["passed"]),
            "total": int(t["total"]),
        }
        for t in record["tables"]
    ]
    nxt = record["next"]
    return {
        "record": True,
        "checked_at": str(record["checked_at"]),
        "passed": int(record["passed"]),
        "total": int(record["total"]),
        "tables": tables,
        "next": None
        if nxt is None
        else {k: str(nxt.get(k, "")) for k in ("id", "table", "title", "status", "hint")},
    }


def _next_line(nxt: dict[str, str]) -> str:
    return f"Next: table {int(nxt['table']):02d}, {nxt['id']} ({nxt['title']}): {nxt['status']}"


class ProgressView(View):
    """Exercises passed per table and the next exercise, from the learner's progress record."""

    kind = "progress"

    def text(self) -> str:
        d = self.data
        if not d["record"]:
            return f"jaxscope progress\n{NO_RECORD}"
        lines = [
            f"jaxscope progress: {d['passed']} of {d['total']} exercises passed "
            f"(checked {d['checked_at']})"
        ]
        width = max((len(t["notebook"]) for t in d["tables"]), default=0)
        for t in d["tables"]:
            bar = "#" * t["passed"] + "." * (t["total"] - t["passed"])
            done = "  done" if t["passed"] == t["total"] else ""
            lines.append(
                f"  table {t['table']:02d}  {t['notebook']:<{width}}  "
                f"{t['passed']}/{t['total']}  [{bar}]{done}"
            )
        nxt = d["next"]
        if nxt is None:
            lines.append("All exercises passed. Well done!")
        else:
            lines.append(_next_line(nxt))
            if nxt["hint"]:
                lines.append(f"  hint: {nxt['hint']}")
        return "\n".join(lines)

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
            tail = f'<p class="jxs-progress-next">{esc(_next_line(nxt))}{hint}</p>'
        return head + table + tail


def progress(workspace: Path | str = ".") -> ProgressView:
    """The learner's progress in ``workspace`` (default: the current folder).

    Raises ValueError naming what is wrong when the record is corrupt or of another course.
    """
    path = record_path(workspace)
    return ProgressView(progress_model(read_record(path) if path.exists() else None))
