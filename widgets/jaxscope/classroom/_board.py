"""Where the class stands: the learners' progress records as tables, a hardest-exercises list
and CSV.

The input is one *entry* per learner, as the dashboard collected it::

    {"name": "ada", "server": "running" | "stopped", "source": "live" | "last known" | "none",
     "record": <progress record or None>, "problem": "<why a record was skipped>" or ""}

``board(entries)`` is deterministic (learners sorted by name); ``board_html`` and ``board_csv``
render it.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from .._progress_view import progress_model
from .._view import esc, stylesheet

HARDEST = 10  # how many exercises the hardest list shows


def _learner_row(entry: dict[str, Any]) -> dict[str, Any]:
    model = progress_model(entry.get("record"))
    return {
        "name": entry["name"],
        "server": entry["server"],
        "source": entry["source"],
        "checked_at": model.get("checked_at", ""),
        "passed": model["passed"],
        "total": model["total"],
        "tables": {t["table"]: (t["passed"], t["total"]) for t in model["tables"]},
        "next": model["next"]["id"] if model["next"] else "",
    }


def hardest(records: list[dict[str, Any]], limit: int = HARDEST) -> list[dict[str, Any]]:
    """Exercises by how many learners failed their check, then by how many got a hint."""
    seen: dict[str, dict[str, Any]] = {}
    for rec in records:
        for ex in rec["exercises"]:
            row = seen.setdefault(
                ex["id"],
                {
                    "id": ex["id"],
                    "table": int(ex.get("table", 0)),
                    "title": str(ex.get("title", "")),
                },
            )
            row["failed"] = row.get("failed", 0) + (ex.get("status") == "failed")
            row["hints"] = row.get("hints", 0) + bool(ex.get("hint"))
    rows = [r for r in seen.values() if r["failed"] or r["hints"]]
    rows.sort(key=lambda r: (-r["failed"], -r["hints"], r["table"], r["id"]))
    return rows[:limit]


def board(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The dashboard model: one row per learner, the table numbers, the hardest exercises and
    the skipped records (learner, why)."""
    entries = sorted(entries, key=lambda e: e["name"])
    learners = [_learner_row(e) for e in entries]
    records = [e["record"] for e in entries if e.get("record") is not None]
    table_numbers = sorted({n for row in learners for n in row["tables"]})
    return {
        "learners": learners,
        "tables": table_numbers,
        "hardest": hardest(records),
        "skipped": [(e["name"], e["problem"]) for e in entries if e.get("problem")],
    }


def board_csv(model: dict[str, Any]) -> str:
    """One CSV row per learner: passed/total overall and passed per table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    tcols = [f"table {n:02d}" for n in model["tables"]]
    writer.writerow(["learner", "server", "record", "checked_at", "passed", "total", *tcols])
    for row in model["learners"]:
        cells = [row["tables"].get(n, (0, 0))[0] for n in model["tables"]]
        writer.writerow(
            [row["name"], row["server"], row["source"], row["checked_at"], row["passed"]]
            + [row["total"], *cells]
        )
    return out.getvalue()


def _cell(row: dict[str, Any], n: int) -> str:
    if n not in row["tables"]:
        return "<td></td>"
    passed, total = row["tables"][n]
    done = " jxs-board-done" if total and passed == total else ""
    return f'<td class="jxs-board-cell{done}" title="{passed} of {total}">{passed}/{total}</td>'


def board_html(model: dict[str, Any], csv_href: str = "progress.csv") -> str:
    """The dashboard page: learners × tables, the hardest exercises, the skipped records."""
    head = "".join(f'<th scope="col">{n:02d}</th>' for n in model["tables"])
    rows = []
    for row in model["learners"]:
        state = row["source"] + (f", checked {row['checked_at']}" if row["checked_at"] else "")
        rows.append(
            f'<tr data-learner="{esc(row["name"])}"><th scope="row">{esc(row["name"])}</th>'
            f"<td>{esc(row['server'])}</td><td>{esc(state)}</td>"
            f'<td class="jxs-board-passed">{row["passed"]}/{row["total"]}</td>'
            + "".join(_cell(row, n) for n in model["tables"])
            + f'<td class="jxs-mono">{esc(row["next"])}</td></tr>'
        )
    learners = (
        '<table class="jxs-table jxs-board-learners"><thead><tr><th>learner</th><th>server</th>'
        f"<th>record</th><th>passed</th>{head}<th>next</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>No learners yet.</p>"
    )
    hard = "".join(
        f'<tr><td class="jxs-mono">{esc(h["id"])}</td><td>{h["table"]:02d}</td>'
        f"<td>{esc(h['title'])}</td><td>{h['failed']}</td><td>{h['hints']}</td></tr>"
        for h in model["hardest"]
    )
    hardest_html = (
        '<table class="jxs-table jxs-board-hardest"><thead><tr><th>exercise</th><th>table</th>'
        "<th>title</th><th>failed checks</th><th>hints</th></tr></thead>"
        f"<tbody>{hard}</tbody></table>"
        if hard
        else "<p>No failed checks yet.</p>"
    )
    skipped = "".join(
        f"<li><strong>{esc(name)}</strong>: {esc(why)}</li>" for name, why in model["skipped"]
    )
    skipped_html = f'<h2>Skipped records</h2><ul class="jxs-board-skipped">{skipped}</ul>'
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>jaxscope class dashboard</title>"
        f'<style>{stylesheet("board")}</style></head><body><div class="jxs jxs-board">'
        f'<h1>Where the class stands</h1><p><a href="{esc(csv_href)}">Download CSV</a></p>'
        f"{learners}<h2>Hardest exercises</h2>{hardest_html}"
        f"{skipped_html if skipped else ''}</div></body></html>"
    )
