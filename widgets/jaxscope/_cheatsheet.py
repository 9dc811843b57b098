"""The JAX cheat sheet as data: load and check ``cheatsheet/NN-slug.yml``, render a table, run an
example. (The public names are gathered in :mod:`jaxscope.cheatsheet`.)

``table(1)`` shows table 1 (Concept | Example | Description); ``concept(id)`` finds one concept;
``validate()`` lists what is wrong with the data (schema, numbering, unique ids, agreement with
``curriculum.yml``); ``run_example(concept)`` runs one concept's example.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.util
import io
import os
import re
import sys
import textwrap
import types
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ._view import View, esc

N_TABLES = 20
TABLE_KEYS = {"n": int, "slug": str, "title": str, "focus": str, "notebook": str, "concepts": list}
CONCEPT_KEYS = {"id": str, "title": str, "apis": list, "example": str, "description": list}
OPTIONAL_CONCEPT_KEYS = {"requires": list, "devices": int}
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FILE_RE = re.compile(r"^(\d\d)-([a-z0-9-]+)\.yml$")


@dataclass(frozen=True)
class Concept:
    """One row of the cheat sheet: a concept, its runnable example and its bullet points."""

    id: str
    title: str
    apis: tuple[str, ...]
    example: str
    description: tuple[str, ...]
    table: int
    requires: tuple[str, ...] = ()
    devices: int = 1


@dataclass(frozen=True)
class Table:
    """One table of the cheat sheet: its number, slug, title, intro, notebook and concepts."""

    n: int
    slug: str
    title: str
    focus: str
    notebook: str
    concepts: tuple[Concept, ...]


# --- locating the data ---------------------------------------------------------------------------
# An installed wheel carries a copy of the repository's cheatsheet/ here (setup.py makes it).
PACKAGED = Path(__file__).resolve().parent / "data" / "cheatsheet"


def cheatsheet_dir() -> Path:
    """The cheat sheet's folder: ``$JAXSCOPE_CHEATSHEET``, else the installed package's copy,
    else the repository's ``cheatsheet/`` (a checkout or an editable install)."""
    env = os.environ.get("JAXSCOPE_CHEATSHEET")
    if env:
        return Path(env)
    if PACKAGED.is_dir():
        return PACKAGED
    return Path(__file__).resolve().parents[2] / "cheatsheet"


def notebooks_dir() -> Path:
    """The ``notebooks/`` folder beside the cheat sheet's folder (in a wheel, the copy of their
    text sources that setup.py ships: the exercises' solutions are read from it)."""
    return cheatsheet_dir().resolve().parent / "notebooks"


def curriculum_path(cheatsheet: Path | None = None) -> Path | None:
    """``curriculum.yml`` (``$JAXSCOPE_CURRICULUM``, else ``shared/`` beside the repo), or None."""
    env = os.environ.get("JAXSCOPE_CURRICULUM")
    if env:
        return Path(env) if Path(env).is_file() else None
    repo = (cheatsheet or cheatsheet_dir()).resolve().parent
    candidate = repo.parent / "shared" / "curriculum.yml"
    return candidate if candidate.is_file() else None


def _yaml_load(path: Path) -> Any:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- validation ----------------------------------------------------------------------------------
def _read_raw(folder: Path) -> tuple[list[tuple[str, Any]], list[str]]:
    """Every ``*.yml`` file in ``folder`` parsed, in name order, and the problems reading them."""
    problems: list[str] = []
    if not folder.is_dir():
        return [], [f"cheat-sheet folder not found: {folder}"]
    raw = []
    for path in sorted(folder.glob("*.yml")):
        try:
            raw.append((path.name, _yaml_load(path)))
        except Exception as exc:  # noqa: BLE001 - report any parse error as a problem
            problems.append(f"{path.name}: cannot parse YAML: {type(exc).__name__}: {exc}")
    return raw, problems


def _check_keys(where: str, record: Any, required: dict, optional: dict) -> list[str]:
    if not isinstance(record, dict):
        return [f"{where}: expected a mapping, got {type(record).__name__}"]
    problems = []
    for key, typ in required.items():
        if key not in record:
            problems.append(f"{where}: missing key {key!r}")
        elif not isinstance(record[key], typ) or (typ is int and isinstance(record[key], bool)):
            problems.append(
                f"{where}: {key!r} must be {typ.__name__}, got {type(record[key]).__name__}"
            )
    for key, typ in optional.items():
        if key in record and not isinstance(record[key], typ):
            problems.append(
                f"{where}: {key!r} must be {typ.__name__}, got {type(record[key]).__name__}"
            )
    unknown = sorted(set(record) - set(required) - set(optional))
    if unknown:
        problems.append(f"{where}: unknown keys {unknown}")
    return problems


def _check_concept(where: str, c: dict) -> list[str]:
    problems = _check_keys(where, c, CONCEPT_KEYS, OPTIONAL_CONCEPT_KEYS)
    if problems and not isinstance(c, dict):
        return problems
    if isinstance(c.get("id"), str) and not _ID_RE.match(c["id"]):
        problems.append(f"{where}: id {c['id']!r} must be lowercase words joined by '-'")
    for key in ("apis", "requires"):
        if isinstance(c.get(key), list) and not all(isinstance(a, str) for a in c[key]):
            problems.append(f"{where}: every entry of {key!r} must be a string")
    desc = c.get("description")
    if isinstance(desc, list):
        if not 2 <= len(desc) <= 3:
            problems.append(f"{where}: description needs 2-3 bullet points, got {len(desc)}")
        if not all(isinstance(b, str) and b.strip() for b in desc):
            problems.append(f"{where}: every description bullet must be a non-empty string")
    example = c.get("example")
    if isinstance(example, str):
        lines = [ln for ln in example.splitlines() if ln.strip()]
        body = [ln for ln in lines if not ln.startswith(("import ", "from "))]
        if not 1 <= len(body) <= 6:
            problems.append(f"{where}: example should have 1-6 lines besides imports")
        try:
            compile(example, f"<cheatsheet {c.get('id')}>", "exec")
        except SyntaxError as exc:
            problems.append(f"{where}: example is not valid Python: {exc.msg} (line {exc.lineno})")
    if "devices" in c and isinstance(c["devices"], int) and c["devices"] < 1:
        problems.append(f"{where}: devices must be >= 1")
    return problems


def _check_curriculum(raw_tables: dict[int, dict], curriculum: Path) -> list[str]:
    try:
        ref = _yaml_load(curriculum)["tables"]
    except Exception as exc:  # noqa: BLE001
        return [f"{curriculum}: cannot read curriculum: {type(exc).__name__}: {exc}"]
    problems = []
    for rt in ref:
        n = rt["n"]
        t = raw_tables.get(n)
        if t is None:
            continue  # reported as a missing table already
        where = f"table {n}"
        if t.get("slug") != rt["slug"]:
            problems.append(f"{where}: slug {t.get('slug')!r} != curriculum {rt['slug']!r}")
        if t.get("title") != rt["title"]:
            problems.append(f"{where}: title {t.get('title')!r} != curriculum {rt['title']!r}")
        raw_concepts = t.get("concepts")
        raw_concepts = raw_concepts if isinstance(raw_concepts, list) else []
        mine = [c for c in raw_concepts if isinstance(c, dict)]
        ids = [c.get("id") for c in mine]
        ref_ids = [c["id"] for c in rt["concepts"]]
        if ids != ref_ids:
            problems.append(f"{where}: concept ids/order {ids} != curriculum {ref_ids}")
        by_id = {c.get("id"): c for c in mine}
        for rc in rt["concepts"]:
            c = by_id.get(rc["id"])
            if c is None:
                continue
            if c.get("title") != rc["title"]:
                problems.append(
                    f"{where}/{rc['id']}: title {c.get('title')!r} != curriculum {rc['title']!r}"
                )
            if list(c.get("apis") or []) != list(rc.get("apis") or []):
                problems.append(
                    f"{where}/{rc['id']}: apis {c.get('apis')} != curriculum {rc.get('apis')}"
                )
    return problems


def validate(path: str | os.PathLike | None = None) -> list[str]:
    """Every problem found in the cheat-sheet data (an empty list when it is sound).

    Checks the schema (keys, types), that tables are numbered 1..20 with files named
    ``NN-slug.yml`` and notebooks ``notebooks/NN-slug.ipynb``, that concept ids are unique, and,
    when ``curriculum.yml`` is found, that slugs, titles, ids, order and apis agree with it.
    """
    folder = Path(path) if path is not None else cheatsheet_dir()
    raw, problems = _read_raw(folder)
    tables: dict[int, dict] = {}
    seen: dict[str, str] = {}
    for name, t in raw:
        where = name
        problems += _check_keys(where, t, TABLE_KEYS, {})
        if not isinstance(t, dict):
            continue
        n, slug = t.get("n"), t.get("slug")
        m = _FILE_RE.match(name)
        if not m:
            problems.append(f"{name}: file name must be NN-slug.yml")
        elif isinstance(n, int) and (int(m.group(1)) != n or m.group(2) != slug):
            problems.append(f"{name}: file name does not match n={n!r}, slug={slug!r}")
        if isinstance(n, int) and isinstance(slug, str):
            expected = f"notebooks/{n:02d}-{slug}.ipynb"
            if t.get("notebook") != expected:
                problems.append(f"{name}: notebook {t.get('notebook')!r} should be {expected!r}")
            if n in tables:
                problems.append(f"{name}: table number {n} used twice")
            tables[n] = t
        concepts_ = t.get("concepts")
        for i, c in enumerate(concepts_ if isinstance(concepts_, list) else []):
            cid = c.get("id") if isinstance(c, dict) else None
            cwhere = f"{name}: concept {cid or i}"
            problems += _check_concept(cwhere, c)
            if isinstance(cid, str):
                if cid in seen:
                    problems.append(f"{cwhere}: duplicate id (also in {seen[cid]})")
                else:
                    seen[cid] = name
    if sorted(tables) != list(range(1, N_TABLES + 1)):
        missing = sorted(set(range(1, N_TABLES + 1)) - set(tables))
        extra = sorted(set(tables) - set(range(1, N_TABLES + 1)))
        problems.append(
            f"tables must be numbered 1..{N_TABLES}: missing {missing}, unexpected {extra}"
        )
    curriculum = curriculum_path(folder)
    if curriculum is not None:
        problems += _check_curriculum(tables, curriculum)
    return problems


# --- loading -------------------------------------------------------------------------------------
def _build(t: dict) -> Table:
    concepts = tuple(
        Concept(
            id=c["id"],
            title=c["title"],
            apis=tuple(c["apis"]),
            example=c["example"].strip("\n") + "\n",
            description=tuple(" ".join(b.split()) for b in c["description"]),
            table=t["n"],
            requires=tuple(c.get("requires") or ()),
            devices=int(c.get("devices", 1)),
        )
        for c in t["concepts"]
    )
    return Table(
        n=t["n"],
        slug=t["slug"],
        title=t["title"],
        focus=" ".join(t["focus"].split()),
        notebook=t["notebook"],
        concepts=concepts,
    )


@cache
def _load(folder: str) -> tuple[Table, ...]:
    problems = validate(folder)
    if problems:
        shown = "\n  ".join(problems[:20])
        raise ValueError(f"the cheat sheet in {folder} has {len(problems)} problem(s):\n  {shown}")
    raw, _ = _read_raw(Path(folder))
    return tuple(sorted((_build(t) for _, t in raw), key=lambda t: t.n))


def load(path: str | os.PathLike | None = None) -> list[Table]:
    """All 20 tables, validated (``ValueError`` listing the problems otherwise); cached."""
    folder = Path(path) if path is not None else cheatsheet_dir()
    return list(_load(str(folder.resolve())))


def tables() -> list[Table]:
    """All tables, in order (same as :func:`load`)."""
    return load()


def concepts() -> list[Concept]:
    """All concepts of all tables, in cheat-sheet order."""
    return [c for t in load() for c in t.concepts]


def _table_record(n: Any) -> Table:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(
            f"n must be a table number, an int from 1 to {N_TABLES}, got {type(n).__name__} "
            f"{n!r}; e.g. js.cheatsheet.table(1)"
        )
    if not 1 <= n <= N_TABLES:
        raise ValueError(f"n must be a table number from 1 to {N_TABLES}, got {n}")
    return load()[n - 1]


def concept(id: str) -> Concept:
    """The concept with this id (ids are unique across tables); ``KeyError`` with close matches."""
    if not isinstance(id, str):
        raise TypeError(f"id must be a concept id string such as 'pure-functions', got {id!r}")
    found = {c.id: c for c in concepts()}
    prefix, _, key = id.rpartition("/")  # "NN/id" is accepted too
    if key in found and (not prefix or prefix.isdigit() and int(prefix) == found[key].table):
        return found[key]
    close = difflib.get_close_matches(key, list(found), n=5, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise KeyError(f"no cheat-sheet concept with id {id!r}{hint}")


# --- running examples ----------------------------------------------------------------------------
class ExampleError(RuntimeError):
    """A cheat-sheet example failed to run; the message names the concept id."""


def missing_requirements(c: Concept) -> list[str]:
    """The ``requires`` import names of ``c`` that cannot be imported here."""
    missing = []
    for name in c.requires:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def run_example(c: Concept | str) -> str:
    """Run the example of ``c`` (a :class:`Concept` or id) in a fresh namespace; its stdout."""
    if isinstance(c, str):
        c = concept(c)
    if not isinstance(c, Concept):
        raise TypeError(f"c must be a Concept or a concept id, got {type(c).__name__}")
    missing = missing_requirements(c)
    if missing:
        raise ExampleError(
            f"cheat-sheet example {c.id!r} needs {', '.join(missing)}, which is not installed"
        )
    if c.devices > 1:
        import jax

        if jax.device_count() < c.devices:
            raise ExampleError(
                f"cheat-sheet example {c.id!r} needs {c.devices} devices, found "
                f"{jax.device_count()}; simulate them on CPU with "
                f'jax.config.update("jax_num_cpu_devices", {c.devices}) before using JAX'
            )
    out = io.StringIO()
    # a real, registered module: dataclasses and pickling look their class's module up
    name = f"_jaxscope_cheatsheet_{c.id.replace('-', '_')}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        code = compile(c.example, f"<cheatsheet {c.id}>", "exec")
        with contextlib.redirect_stdout(out):
            exec(code, module.__dict__)  # the cheat sheet's own examples
            if "jax" in sys.modules:
                sys.modules["jax"].effects_barrier()  # flush debug prints and callbacks
    except Exception as exc:
        raise ExampleError(
            f"cheat-sheet example {c.id!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        sys.modules.pop(name, None)
    return out.getvalue()


# --- the view ------------------------------------------------------------------------------------
def table_data(t: Table) -> dict[str, Any]:
    """A table as plain, JSON-safe data for :class:`TableView`."""
    return {
        "n": t.n,
        "slug": t.slug,
        "title": t.title,
        "focus": t.focus,
        "notebook": t.notebook,
        "rows": [
            {
                "id": c.id,
                "title": c.title,
                "apis": list(c.apis),
                "example": c.example,
                "description": list(c.description),
                "requires": list(c.requires),
                "devices": c.devices,
            }
            for c in t.concepts
        ],
    }


def _needs(row: dict[str, Any]) -> str:
    """What an example needs beyond JAX, e.g. ``"needs optax; 8 devices"``, or ``""``."""
    needs = [f"needs {', '.join(row['requires'])}"] if row["requires"] else []
    if row["devices"] > 1:
        needs.append(f"{row['devices']} devices")
    return "; ".join(needs)


class TableView(View):
    """One cheat-sheet table: Concept | Example | Description."""

    kind = "cheatsheet"
    styles = ("cheatsheet",)

    def text(self) -> str:
        d = self.data
        lines = [f"Table {d['n']}: {d['title']}", "=" * len(f"Table {d['n']}: {d['title']}")]
        lines += textwrap.wrap(d["focus"], 100)
        for row in d["rows"]:
            lines += [
                "",
                f"[{row['id']}] {row['title']}" + (f"  ({_needs(row)})" if _needs(row) else ""),
            ]
            lines += [
                "    " + ln if ln.strip() else "" for ln in row["example"].rstrip().split("\n")
            ]
            for bullet in row["description"]:
                lines += textwrap.wrap(bullet, 100, initial_indent="  • ", subsequent_indent="    ")
        lines += ["", f"Notebook: {d['notebook']}"]
        return "\n".join(lines)

    def html_body(self) -> str:
        d = self.data
        parts = [
            '<div class="jxs-cheatsheet-head">'
            f'<span class="jxs-cheatsheet-n">Table {d["n"]}</span> '
            f'<span class="jxs-cheatsheet-title">{esc(d["title"])}</span></div>',
            f'<p class="jxs-cheatsheet-focus">{esc(d["focus"])}</p>',
            '<table class="jxs-table jxs-cheatsheet-table"><thead><tr>'
            "<th>Concept</th><th>Example</th><th>Description</th></tr></thead><tbody>",
        ]
        for row in d["rows"]:
            anchor = esc(f"cheatsheet-{row['id']}")
            bullets = "".join(f"<li>{esc(b)}</li>" for b in row["description"])
            apis = ", ".join(f"<code>{esc(a)}</code>" for a in row["apis"])
            parts.append(
                f'<tr id="{anchor}"><td class="jxs-cheatsheet-concept">'
                f'<a href="#{anchor}">{esc(row["title"])}</a>'
                f'<div class="jxs-cheatsheet-id">{esc(row["id"])}</div>'
                + (f'<div class="jxs-cheatsheet-apis">{apis}</div>' if apis else "")
                + (f'<span class="jxs-badge">{esc(_needs(row))}</span>' if _needs(row) else "")
                + "</td>"
                f'<td class="jxs-cheatsheet-example"><pre><code>{esc(row["example"].rstrip())}'
                "</code></pre></td>"
                f'<td class="jxs-cheatsheet-desc"><ul>{bullets}</ul></td></tr>'
            )
        parts.append(
            f'</tbody></table><div class="jxs-cheatsheet-notebook">Notebook: '
            f"<code>{esc(d['notebook'])}</code></div>"
        )
        return "".join(parts)


def table(n: int) -> TableView:
    """Table ``n`` (1..20) of the cheat sheet as a view."""
    return TableView(table_data(_table_record(n)))
