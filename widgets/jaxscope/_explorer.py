"""The cheat-sheet explorer: ``js.cheatsheet.explorer()``, a searchable, runnable cheat sheet.

Without a kernel it is the whole cheat sheet as static HTML (20 tables, a card per concept with
its example, bullets and a link to its notebook section). In a kernel it becomes a widget: a
search box and a table filter whose query runs in the kernel (``_search``), result cards, and a
"Run" button per card that runs the example in the kernel and shows what it printed.
``export_html(path)`` writes the whole sheet as one self-contained, printable page.
"""

from __future__ import annotations

import contextlib
import io
import os
import textwrap
from pathlib import Path
from typing import Any

from ._cheatsheet import N_TABLES, Concept, Table, concept, run_example, tables
from ._search import SearchHit
from ._search import search as ranked
from ._view import View, esc, stylesheet

OUTPUT_LIMIT = 20_000  # characters of an example's output sent back to the browser


# --- model ---------------------------------------------------------------------------------------
def notebook_link(t: Table, concept_id: str) -> str:
    """The link from the explorer (shown in ``notebooks/``) to a concept's notebook section."""
    name = Path(t.notebook).name
    if ":" in name:  # never a URL scheme such as javascript: -- always a file next to the page
        name = f"./{name}"
    return f"{name}#{concept_id}"


def card(c: Concept, t: Table, score: float | None = None, why: str = "") -> dict[str, Any]:
    """One concept as the small, JSON-safe record a card needs (``why``: why a search matched)."""
    rec: dict[str, Any] = {
        "id": c.id,
        "title": c.title,
        "table": t.n,
        "example": c.example.rstrip("\n"),
        "bullets": list(c.description),
        "link": notebook_link(t, c.id),
    }
    needs = [f"needs {', '.join(c.requires)}"] if c.requires else []
    if c.devices > 1:
        needs.append(f"{c.devices} devices")
    if needs:
        rec["needs"] = "; ".join(needs)
    if score is not None:
        rec["score"] = score
    if why:
        rec["why"] = why
    return rec


def _check_table(table: Any) -> int | None:
    if table is None or table == 0 and not isinstance(table, bool):
        return None
    if isinstance(table, bool) or not isinstance(table, int):
        raise TypeError(f"table must be None or a table number (int 1..{N_TABLES}), got {table!r}")
    if not 1 <= table <= N_TABLES:
        raise ValueError(f"table must be a table number from 1 to {N_TABLES}, got {table}")
    return table


def hit_cards(hits: list[SearchHit]) -> list[dict[str, Any]]:
    """The result cards of search hits, best first, each with its score and why it matched."""
    by_n = {t.n: t for t in tables()}
    return [card(h.concept, by_n[h.table], h.score, h.why) for h in hits]


def results(query: str, table: int | None = None, limit: int = 12) -> list[dict[str, Any]]:
    """The cards matching ``query`` (best first); empty for an empty query."""
    if not isinstance(query, str) or not query.strip():
        return []
    return hit_cards(ranked(query, limit, table))


def explorer_model(query: str = "", table: int | None = None) -> dict[str, Any]:
    """The whole cheat sheet and the matches for ``query`` as plain data."""
    if not isinstance(query, str):
        raise TypeError(
            f'query must be a string ("" shows everything), got {type(query).__name__}; '
            'e.g. js.cheatsheet.explorer("split a key")'
        )
    table = _check_table(table)
    return {
        "query": query,
        "table": table,
        "tables": [
            {
                "n": t.n,
                "title": t.title,
                "focus": t.focus,
                "notebook": Path(t.notebook).name,
                "cards": [card(c, t) for c in t.concepts],
            }
            for t in tables()
        ],
        "results": results(query, table),
    }


def run_card(concept_id: str) -> dict[str, Any]:
    """Run one concept's example with its output captured: ``{id, output, error}``."""
    out: dict[str, Any] = {"id": concept_id, "output": "", "error": ""}
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            out["output"] = run_example(concept(concept_id))
    except Exception as exc:  # noqa: BLE001 - the error is shown under the card, never raised
        out["error"] = f"{type(exc).__name__}: {exc}"
    if err.getvalue():
        out["output"] += err.getvalue()
    for key in ("output", "error"):
        if len(out[key]) > OUTPUT_LIMIT:
            out[key] = out[key][:OUTPUT_LIMIT] + "\n... (output cut)"
    return out


# --- renderers -----------------------------------------------------------------------------------
def card_html(rec: dict[str, Any], anchor: str | None, rank: int | None = None) -> str:
    """One card: title, id, example, bullets and notebook link (``anchor`` names its HTML id)."""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    head = f'<span class="jxs-explorer-rank">{rank}.</span> ' if rank is not None else ""
    badges = f'<span class="jxs-badge">table {rec["table"]}</span>'
    if "needs" in rec:
        badges += f'<span class="jxs-badge">{esc(rec["needs"])}</span>'
    if "score" in rec:
        badges += f'<span class="jxs-badge jxs-explorer-score">score {rec["score"]:.2f}</span>'
    bullets = "".join(f"<li>{esc(b)}</li>" for b in rec["bullets"])
    return (
        f'<div class="jxs-explorer-card"{ident} data-id="{esc(rec["id"])}" '
        f'data-table="{rec["table"]}">'
        f'<div class="jxs-explorer-card-head">{head}'
        f'<span class="jxs-explorer-card-title">{esc(rec["title"])}</span> '
        f'<code class="jxs-explorer-id">{esc(rec["id"])}</code> {badges}</div>'
        f'<pre class="jxs-explorer-example"><code>{esc(rec["example"])}</code></pre>'
        f'<ul class="jxs-explorer-bullets">{bullets}</ul>'
        + (f'<div class="jxs-explorer-why">why: {esc(rec["why"])}</div>' if "why" in rec else "")
        + f'<div class="jxs-explorer-card-foot"><a class="jxs-explorer-link" '
        f'href="{esc(rec["link"])}">notebook section {esc(rec["link"])}</a></div>'
        "</div>"
    )


def sheet_html(d: dict[str, Any], anchor_prefix: str) -> str:
    """Every table as a section of cards, with a contents line linking the sections."""
    toc = " ".join(
        f'<a href="#{esc(anchor_prefix)}table-{t["n"]}" title="{esc(t["title"])}">{t["n"]}</a>'
        for t in d["tables"]
    )
    parts = [f'<nav class="jxs-explorer-toc">Tables: {toc}</nav>']
    for t in d["tables"]:
        cards = "".join(card_html(c, f"{anchor_prefix}{c['id']}") for c in t["cards"])
        parts.append(
            f'<section class="jxs-explorer-table" id="{esc(anchor_prefix)}table-{t["n"]}" '
            f'data-table="{t["n"]}"><h3 class="jxs-explorer-table-title">Table {t["n"]}: '
            f"{esc(t['title'])}</h3>"
            f'<p class="jxs-explorer-focus">{esc(t["focus"])}</p>'
            f'<div class="jxs-explorer-notebook jxs-muted">Notebook: '
            f"<code>{esc(t['notebook'])}</code></div>"
            f'<div class="jxs-explorer-cards">{cards}</div></section>'
        )
    return "".join(parts)


def results_text(d: dict[str, Any]) -> list[str]:
    """The matches as terminal lines: rank, score, id, title, table, first bullet, example."""
    where = f" in table {d['table']}" if d["table"] else ""
    query = " ".join(d["query"].split())  # a pasted traceback on one line, cut to a width
    query = query if len(query) <= 100 else query[:97] + "..."
    lines = [f"Cheat-sheet search: {query!r}{where}"]
    if not d["results"]:
        return lines + ["  no matches; try other words or js.cheatsheet.explorer()"]
    for rank, r in enumerate(d["results"], 1):
        lines.append(
            f"{rank:2d}. [{r['id']}] {r['title']}  (table {r['table']}, score {r['score']:.2f})"
        )
        if r.get("why"):
            lines += textwrap.wrap(
                r["why"], 96, initial_indent="    why: ", subsequent_indent="         "
            )
        lines += textwrap.wrap(
            r["bullets"][0], 96, initial_indent="    • ", subsequent_indent="      "
        )
        lines += ["      " + ln if ln.strip() else "" for ln in r["example"].split("\n")]
        lines.append(f"    notebook: {r['link']}")
    return lines


def results_html(d: dict[str, Any]) -> str:
    """The matches as result cards under a status line."""
    where = f" in table {d['table']}" if d["table"] else ""
    cards = "".join(card_html(r, None, i) for i, r in enumerate(d["results"], 1))
    return (
        '<div class="jxs-explorer-results"><div class="jxs-explorer-status">'
        f"{len(d['results'])} match{'es' if len(d['results']) != 1 else ''} for "
        f"<code>{esc(d['query'])}</code>{esc(where)}</div>{cards}</div>"
    )


class ResultsView(View):
    """The hits of ``js.cheatsheet.search``: ranked cards, each saying why it matched."""

    kind = "explorer"
    styles = ("explorer",)

    def text(self) -> str:
        return "\n".join(results_text(self.data))

    def html_body(self) -> str:
        return results_html(self.data)


def results_view(query: str, hits: list[SearchHit], table: int | None = None) -> ResultsView:
    """The view of one search's hits (what ``SearchResults`` shows)."""
    return ResultsView({"query": query, "table": table, "results": hit_cards(hits)})


class SearchResults(list):
    """The hits of one search (a list of :class:`SearchHit`), shown as ranked lines in a terminal
    and as result cards in a notebook."""

    def __init__(self, query: str, hits: list[SearchHit]):
        super().__init__(hits)
        self.query = query

    def _view(self) -> ResultsView:
        return results_view(self.query, list(self))

    def text(self) -> str:
        """The hits as terminal lines: rank, id, title, score and why each matched."""
        return self._view().text()

    def _repr_html_(self) -> str:
        return self._view().html()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.text())


def search(query: str, limit: int = 10, table: int | None = None) -> SearchResults:
    """The cheat-sheet concepts that best answer ``query``, best first (at most ``limit``).

    Tolerates typos, everyday phrasing ("split a key", "why does it recompile"), other
    frameworks' words ("torch.no_grad") and pasted tracebacks; ``table=n`` keeps only table
    ``n``'s concepts. Each hit says why it matched; the results show as lines or cards.
    """
    return SearchResults(query, ranked(query, limit=limit, table=table))


class ExplorerView(View):
    """The searchable, runnable cheat sheet: all tables, search results, Run buttons."""

    kind = "explorer"
    styles = ("explorer",)
    esm = "explorer.js"

    def text(self) -> str:
        d = self.data
        if d["query"].strip():
            return "\n".join(results_text(d))
        shown = [t for t in d["tables"] if not d["table"] or t["n"] == d["table"]]
        total = sum(len(t["cards"]) for t in d["tables"])
        lines = [f"JAX cheat sheet: {len(d['tables'])} tables, {total} concepts"]
        for t in shown:
            lines.append(
                f"{t['n']:2d}. {t['title']}  ({len(t['cards'])} concepts, {t['notebook']})"
            )
            if d["table"]:
                lines += [f"      [{c['id']}] {c['title']}" for c in t["cards"]]
        lines.append('Search with js.cheatsheet.search("your words") or explorer("your words").')
        return "\n".join(lines)

    def html_body(self) -> str:
        d = self.data
        total = sum(len(t["cards"]) for t in d["tables"])
        parts = [
            '<div class="jxs-explorer-header"><span class="jxs-head">JAX cheat sheet</span> '
            f'<span class="jxs-muted">{len(d["tables"])} tables, {total} concepts</span></div>',
            '<div class="jxs-explorer-controls"></div>',
        ]
        if d["query"].strip():
            parts.append(results_html(d))
        else:
            parts.append('<div class="jxs-explorer-results"></div>')
        parts.append(f'<div class="jxs-explorer-sheet">{sheet_html(d, "explorer-")}</div>')
        return "".join(parts)

    def widget_data(self) -> dict[str, Any]:
        return {"tables": [{"n": t["n"], "title": t["title"]} for t in self.data["tables"]]}

    # the browser sets query, table and run_request; the kernel answers in results and run_output
    live = {"query": "", "table": 0, "results": [], "run_request": {}, "run_output": {}}

    def widget_state(self) -> dict[str, Any]:
        d = self.data
        return {"query": d["query"], "table": d["table"] or 0, "results": d["results"]}

    def on_widget_change(self, widget: Any, name: str, value: Any) -> None:
        """A new query or table filter gets its results; a run request runs its card."""
        if name in ("query", "table"):
            table = widget.table if 1 <= widget.table <= N_TABLES else None
            widget.results = results(widget.query, table)
        elif name == "run_request":
            cid = (value or {}).get("id")
            if isinstance(cid, str) and cid:
                widget.run_output = {**run_card(cid), "n": value.get("n", 0)}


def explorer(query: str = "", table: int | None = None) -> ExplorerView:
    """The cheat-sheet explorer, optionally opened on ``query`` and/or table ``table``."""
    return ExplorerView(explorer_model(query, table))


# --- the printable page --------------------------------------------------------------------------
PRINT_CSS = """
body { margin: 0; padding: 16px 24px; }
@page { margin: 14mm; }
@media print { body { padding: 0; } }
/* nested like the views' stylesheets, so these rules outrank them */
:not(#jxs-outrank) {
  .jxs-explorer-page { max-width: 1100px; margin: 0 auto; overflow: visible; }
  .jxs-explorer-page pre { white-space: pre-wrap; }
  @media print {
    .jxs { --jxs-fg: #000; --jxs-muted: #333; --jxs-bg: #fff; --jxs-bg2: #f2f2f2;
      --jxs-border: #999; --jxs-accent: #000; font-size: 10pt; }
    .jxs-explorer-toc, .jxs-explorer-controls { display: none; }
    .jxs-explorer-table { break-before: page; }
    .jxs-explorer-table:first-of-type { break-before: auto; }
    .jxs-explorer-card { break-inside: avoid; box-shadow: none; }
    .jxs-explorer-link { color: #000; text-decoration: none; }
  }
}
"""


def export_page() -> str:
    """The whole cheat sheet as one self-contained HTML page (inline CSS, no scripts, no links)."""
    d = explorer_model()
    total = sum(len(t["cards"]) for t in d["tables"])
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>JAX cheat sheet</title>\n"
        f"<style>\n{stylesheet(*ExplorerView.styles)}\n{PRINT_CSS}</style>\n</head>\n<body>\n"
        '<div class="jxs jxs-explorer jxs-explorer-page">'
        f'<h1 class="jxs-explorer-page-title">JAX cheat sheet</h1>'
        f'<p class="jxs-muted">{len(d["tables"])} tables, {total} concepts. Every example runs '
        "as printed; the links lead to the matching section of the course notebooks.</p>"
        f"{sheet_html(d, '')}</div>\n</body>\n</html>\n"
    )


def export_html(path: str | os.PathLike, force: bool = False) -> Path:
    """Write :func:`export_page` to ``path`` atomically; refuses to overwrite unless ``force``."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name such as 'cheatsheet.html', got {path!r}")
    target = Path(path)
    if target.is_dir():
        raise ValueError(f"path {str(target)!r} is a folder; give a file name like cheatsheet.html")
    if target.exists() and not force:
        raise FileExistsError(
            f"{target} already exists; pass force=True (or --force) to overwrite it"
        )
    if not target.parent.is_dir():
        raise ValueError(f"the folder {str(target.parent)!r} does not exist")
    page = export_page()
    tmp = target.parent / f".{target.name}.{os.getpid()}.tmp"  # same folder: an atomic rename
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(page)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
