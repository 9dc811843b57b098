"""``js.pytree(tree)``: a pytree's structure, key paths, leaves and totals, as a foldable tree.

The model (:func:`pytree_model`) flattens the tree one level at a time with JAX's own registry
(``jax.tree_util.tree_flatten_with_path``), so every node JAX sees is kept: dicts, lists, tuples,
``None`` and other empty subtrees, namedtuples, registered dataclasses (their static fields
shown), custom nodes (their type and auxiliary data summarised). Each leaf is summarised by kind
(array, PRNG key array, ``ShapeDtypeStruct``, tracer, NumPy array, Python scalar, other object)
with its shape, dtype and size in bytes; a leaf's values are never copied into the view, only a
few statistics of small concrete arrays. Every subtree carries its totals (leaves, parameters,
bytes). :class:`PytreeView` renders the model as an indented text tree and as nested
``<details>`` (first levels open), capped at ``max_leaves`` rendered rows.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ._errors import error_panel, short_repr
from ._view import View, esc

MAX_LEAVES = 2000  # rows (nodes and leaves) rendered in text and HTML before a note
OPEN_DEPTH = 2  # subtrees shallower than this start open in HTML
STATS_MAX_SIZE = 4096  # concrete numeric arrays up to this many elements get min/max/mean
MAX_DEPTH = 500  # deeper nesting is reported as an error (a runaway or cyclic structure)
VALUE_CHARS = 40  # Python scalars and other objects are shown by a repr cut to this length
CONCEPT = "pytree-basics"


# --------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------
def pytree(
    tree: Any, *, max_leaves: int = MAX_LEAVES, treescope: bool = False, stats: bool = True
) -> View:
    """Show the structure of ``tree``: key paths, each leaf's shape/dtype/bytes, subtree totals.

    Anything is a pytree (a single leaf at worst). A Flax NNX module is shown through
    ``nnx.state(module)``. ``max_leaves`` caps the rows rendered (totals stay complete);
    ``stats`` adds min/max/mean of small concrete arrays; ``treescope=True`` also embeds
    treescope's rendering when that package is installed. Returns a :class:`PytreeView`, or an
    error panel when JAX cannot flatten the tree.
    """
    if isinstance(max_leaves, bool) or not isinstance(max_leaves, int) or max_leaves < 1:
        raise TypeError(
            f"max_leaves must be a positive int (rows to render), got {short_repr(max_leaves)}; "
            f"e.g. js.pytree(tree, max_leaves=500)"
        )
    note = ""
    tree, note = _nnx_state(tree)
    try:
        model = pytree_model(tree, stats=stats)
    except Exception as exc:  # noqa: BLE001 - a structure JAX cannot flatten: explain, don't crash
        panel = error_panel("Could not flatten the pytree", exc)
        if panel.data["explanation"] == panel.data["message"] or not panel.data["explanation"]:
            panel.data["explanation"] = (
                "JAX walks a pytree through dicts (keys of one sortable type), lists, tuples, "
                "None and registered nodes; this structure cannot be walked that way."
            )
        panel.data["fix"] = panel.data["fix"] or (
            "remove the cycle or give a dict keys of one type (all str, say); any other "
            "object is simply a leaf."
        )
        panel.data["concept"] = panel.data["concept"] or CONCEPT
        return panel
    model["max_leaves"] = max_leaves
    if note:
        model["notes"].insert(0, note)
    if treescope:
        model["treescope"] = _treescope_html(tree)
        if model["treescope"] is None:
            model["notes"].append(
                "treescope is not installed (pip install treescope); showing jaxscope's own tree."
            )
    return PytreeView(model)


def _nnx_state(tree: Any) -> tuple[Any, str]:
    """A Flax NNX module becomes ``nnx.state(module)``; anything else is returned unchanged."""
    mod = type(tree).__module__ or ""
    if not mod.startswith("flax") or "flax.nnx" not in sys.modules:
        return tree, ""
    nnx = sys.modules["flax.nnx"]
    graph_node = getattr(nnx, "Module", None)
    if graph_node is None or not isinstance(tree, graph_node):
        return tree, ""
    try:
        return nnx.state(tree), (
            f"A Flax NNX {type(tree).__name__} is shown through nnx.state(model): "
            "its variables as a pytree."
        )
    except Exception:  # noqa: BLE001 - fall back to the module itself
        return tree, ""


def _treescope_html(tree: Any) -> str | None:
    try:
        import treescope
    except ImportError:
        return None
    try:
        return treescope.render_to_html(tree)
    except Exception as exc:  # noqa: BLE001 - an optional extra must not break the view
        return f"<p>treescope could not render this tree: {esc(type(exc).__name__)}</p>"


# --------------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------------
def _empty_totals() -> dict[str, Any]:
    return {"leaves": 0, "arrays": 0, "params": 0, "bytes": 0, "keys": 0, "other": 0}


def _add(total: dict, part: dict) -> None:
    for k in ("leaves", "arrays", "params", "bytes", "keys", "other"):
        total[k] += part[k]


def pytree_model(tree: Any, *, stats: bool = True) -> dict[str, Any]:
    """Plain data for ``tree``: nested node records with leaf summaries and subtree totals."""
    counter = [0]
    dtypes: dict[str, int] = {}
    root = _node(tree, (), "", 0, set(), counter, dtypes, stats)
    return {
        "root": root,
        "totals": root["totals"],
        "n_nodes": counter[0],
        "dtypes": sorted(dtypes.items()),
        "notes": [],
        "concept": CONCEPT,
        "max_leaves": MAX_LEAVES,
    }


def _flatten_one(x: Any) -> tuple[list, Any]:
    """One level of ``x``: ``[(key_entry, child)]`` and the treedef of that level."""
    import jax

    first = [True]

    def is_leaf(y: Any) -> bool:  # the root is flattened, every child is kept whole
        if first[0]:
            first[0] = False
            return False
        return True

    pairs, treedef = jax.tree_util.tree_flatten_with_path(x, is_leaf=is_leaf)
    return [(p[0] if p else None, c) for p, c in pairs], treedef


def _node(
    x: Any,
    path: tuple,
    label: str,
    depth: int,
    ancestors: set,
    counter: list,
    dtypes: dict,
    stats: bool,
) -> dict[str, Any]:
    import jax

    if depth > MAX_DEPTH:
        raise RecursionError(f"the tree is nested more than {MAX_DEPTH} levels deep")
    counter[0] += 1
    pairs, treedef = _flatten_one(x)
    path_str = jax.tree_util.keystr(path) if path else ""
    if treedef.num_nodes == 1 and treedef.num_leaves == 1:
        leaf = _leaf(x, stats)
        totals = _empty_totals()
        totals["leaves"] = 1
        if leaf["kind"] in ("array", "numpy", "abstract", "tracer"):
            totals["arrays"] = 1
            totals["params"] = leaf["size"]
            dtypes[leaf["dtype"]] = dtypes.get(leaf["dtype"], 0) + leaf["size"]
        elif leaf["kind"] == "key":
            totals["keys"] = 1
        else:
            totals["other"] = 1
        totals["bytes"] = leaf.get("bytes", 0)
        return {"node": "leaf", "key": label, "path": path_str, "totals": totals, **leaf}
    if id(x) in ancestors:
        raise ValueError(
            f"the structure contains itself at {path_str or 'the root'} (a cycle); "
            "a pytree must be a finite tree"
        )
    node_type, aux = treedef.node_data()
    kind, type_name = _node_kind(x, node_type)
    record: dict[str, Any] = {
        "node": kind,
        "key": label,
        "path": path_str,
        "type": type_name,
        "aux": "",
        "static": [],
        "children": [],
    }
    if kind == "custom" and aux is not None:
        record["aux"] = short_repr(aux, VALUE_CHARS)
    totals = _empty_totals()
    ancestors.add(id(x))
    try:
        for entry, child in pairs:
            sub_path = path + ((entry,) if entry is not None else ())
            sub_label = jax.tree_util.keystr((entry,)) if entry is not None else "?"
            rec = _node(child, sub_path, sub_label, depth + 1, ancestors, counter, dtypes, stats)
            record["children"].append(rec)
            _add(totals, rec["totals"])
    finally:
        ancestors.discard(id(x))
    if kind in ("dataclass", "custom"):
        record["static"] = _static_fields(x, record["children"])
    record["totals"] = totals
    return record


def _node_kind(x: Any, node_type: type) -> tuple[str, str]:
    import dataclasses

    if node_type is type(None):
        return "none", "None"
    if node_type in (dict, list, tuple):
        return node_type.__name__, node_type.__name__
    name = getattr(node_type, "__qualname__", None) or getattr(node_type, "__name__", "node")
    if issubclass(node_type, tuple) and hasattr(node_type, "_fields"):
        return "namedtuple", name
    if dataclasses.is_dataclass(x):
        return "dataclass", name
    return "custom", name


def _static_fields(x: Any, children: list) -> list[list[str]]:
    """Dataclass fields that are not children: the static (meta) data JAX keeps in the treedef."""
    import dataclasses

    if not dataclasses.is_dataclass(x) or isinstance(x, type):
        return []
    child_names = {c["key"][1:] for c in children if c["key"].startswith(".")}
    out = []
    for f in dataclasses.fields(x):
        if f.name not in child_names and hasattr(x, f.name):
            out.append([f.name, short_repr(getattr(x, f.name), VALUE_CHARS)])
    return out


def _is_key_dtype(dtype: Any) -> bool:
    import jax

    try:
        return jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key)
    except Exception:  # noqa: BLE001
        return False


def _leaf(x: Any, stats: bool) -> dict[str, Any]:
    """A summary of one leaf: never its values, at most a few statistics of a small array."""
    import jax

    type_name = type(x).__name__
    if isinstance(x, (bool, int, float, complex)):
        return {"kind": "scalar", "type": type_name, "value": short_repr(x, VALUE_CHARS)}
    if isinstance(x, (str, bytes)) or not (hasattr(x, "shape") and hasattr(x, "dtype")):
        name = getattr(x, "__qualname__", None) or getattr(x, "__name__", None)
        if callable(x) and isinstance(name, str) and not isinstance(x, type):
            value = name  # a function (an activation, say): its name, not an address
        else:
            value = short_repr(x, VALUE_CHARS)
        return {"kind": "object", "type": type_name, "value": value}
    try:
        shape = tuple(int(d) for d in x.shape)
        dtype = x.dtype
    except Exception:  # noqa: BLE001 - symbolic shapes and odd duck arrays
        return {"kind": "object", "type": type_name, "value": short_repr(x, VALUE_CHARS)}
    size = int(np.prod(shape, dtype=np.int64)) if shape else 1
    is_key = _is_key_dtype(dtype)
    if isinstance(x, jax.core.Tracer):
        kind = "tracer"
    elif is_key:
        kind = "key"
    elif isinstance(x, jax.ShapeDtypeStruct):
        kind = "abstract"
    elif isinstance(x, (np.ndarray, np.generic)):
        kind = "numpy"
    else:
        kind = "array"
    nbytes = _nbytes(x, dtype, size)
    rec: dict[str, Any] = {
        "kind": kind,
        "type": "ShapeDtypeStruct" if kind == "abstract" else type_name,
        "shape": list(shape),
        "dtype": str(dtype),
        "size": size,
        "bytes": nbytes,
    }
    if getattr(x, "weak_type", False):
        rec["weak"] = True
    if stats and kind in ("array", "numpy") and 0 < size <= STATS_MAX_SIZE:
        rec["stats"] = _stats(x)
    return rec


def _nbytes(x: Any, dtype: Any, size: int) -> int:
    try:
        return int(x.nbytes)
    except Exception:  # noqa: BLE001 - ShapeDtypeStruct, tracers: from the dtype
        pass
    try:
        return size * int(np.dtype(dtype).itemsize)
    except Exception:  # noqa: BLE001 - extended dtypes (keys)
        return size * int(getattr(dtype, "itemsize", 0) or 0)


def _stats(x: Any) -> str:
    try:
        a = np.asarray(x)
        if a.dtype.kind == "b":
            return f"{int(a.sum())} true of {a.size}"
        if a.dtype.kind not in "iuf" and a.dtype.name != "bfloat16":
            return ""
        a = a.astype(np.float64)
        if not np.all(np.isfinite(a)):
            bad = int(a.size - np.isfinite(a).sum())
            return f"{bad} non-finite value{'s' if bad != 1 else ''}"
        return f"min {_num(a.min())}, max {_num(a.max())}, mean {_num(a.mean())}"
    except Exception:  # noqa: BLE001 - not addressable here, deleted buffer, ...
        return ""


def _num(v: float) -> str:
    text = f"{v:.4g}"
    return "0" if text == "-0" else text


# --------------------------------------------------------------------------------------------
# renderers
# --------------------------------------------------------------------------------------------
def fmt_bytes(n: int) -> str:
    """``1536`` -> ``1.5 KiB``: bytes in binary units, three significant digits."""
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.3g} {unit}" if value < 1000 else f"{value:.0f} {unit}"
    return f"{n} B"  # pragma: no cover


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def totals_str(t: dict) -> str:
    """``3 leaves, 1,234 parameters, 4.82 KiB`` (keys and other leaves named when present)."""
    parts = [_plural(t["leaves"], "leaf").replace("leafs", "leaves")]
    parts.append(_plural(t["params"], "parameter"))
    parts.append(fmt_bytes(t["bytes"]))
    if t["keys"]:
        parts.append(_plural(t["keys"], "key array"))
    if t["other"]:
        parts.append(f"{t['other']:,} non-array")
    return ", ".join(parts)


def shape_str(shape: list[int]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def leaf_str(rec: dict) -> str:
    """One leaf in words: ``(784, 128) float32 392 KiB`` or ``int 3`` for a Python scalar."""
    if rec["kind"] in ("scalar", "object"):
        return f"{rec['type']} {rec['value']}"
    text = f"{shape_str(rec['shape'])} {rec['dtype']}"
    if rec.get("weak"):
        text += " (weak)"
    text += f"  {fmt_bytes(rec['bytes'])}"
    tags = {"key": "PRNG key array", "abstract": "ShapeDtypeStruct", "tracer": "tracer"}
    if rec["kind"] in tags:
        text += f"  [{tags[rec['kind']]}]"
    elif rec["kind"] == "numpy":
        text += "  [numpy]"
    if rec.get("stats"):
        text += f"  {rec['stats']}"
    return text


def node_head(rec: dict) -> str:
    """The words for an inner node: its type, static/aux data and whether it is empty."""
    text = rec["type"]
    if rec["node"] == "namedtuple":
        text += " (namedtuple)"
    elif rec["node"] == "dataclass":
        text += " (dataclass)"
    elif rec["node"] == "custom":
        text += " (custom node)"
    if rec["static"]:
        text += " static " + ", ".join(f"{k}={v}" for k, v in rec["static"])
    elif rec["aux"]:
        text += f" aux={rec['aux']}"
    if not rec["children"]:
        text += " (empty subtree: no leaves)"
    return text


def _walk(rec: dict, depth: int = 0, last: tuple[bool, ...] = ()):
    """Pre-order ``(record, depth, last-flags)`` over the model's nodes."""
    yield rec, depth, last
    kids = rec.get("children", [])
    for i, child in enumerate(kids):
        yield from _walk(child, depth + 1, (*last, i == len(kids) - 1))


class PytreeView(View):
    """A pytree's structure: foldable subtrees with totals, one row per leaf."""

    kind = "pytree"
    styles = ("pytree",)
    esm = "pytree.js"

    def title(self) -> str:
        root = self.data["root"]
        what = root["type"] if root["node"] != "leaf" else "a single leaf"
        return f"pytree ({what})"

    def summary(self) -> str:
        d = self.data
        text = totals_str(d["totals"])
        if d["dtypes"]:
            text += " (" + ", ".join(f"{k}: {v:,}" for k, v in d["dtypes"]) + ")"
        return text

    def text(self) -> str:
        d = self.data
        lines = [f"{self.title()}: {self.summary()}"]
        cap = d["max_leaves"]
        shown = 0
        for rec, depth, last in _walk(d["root"]):
            if shown >= cap:
                lines.append(_cap_note(d["n_nodes"] - shown, cap))
                break
            shown += 1
            prefix = "".join("   " if is_last else "│  " for is_last in last[:-1])
            if depth:
                prefix += "└─ " if last[-1] else "├─ "
            key = rec["key"] + "  " if rec["key"] else ""
            if rec["node"] == "leaf":
                lines.append(f"{prefix}{key}{leaf_str(rec)}")
            else:
                tot = f"  ({totals_str(rec['totals'])})" if rec["children"] else ""
                lines.append(f"{prefix}{key}{node_head(rec)}{tot}")
        lines.extend(d["notes"])
        return "\n".join(lines)

    # --- html ---------------------------------------------------------------------------------
    def html_body(self) -> str:
        d = self.data
        parts = [
            f'<div class="jxs-pytree-header"><div class="jxs-head">{esc(self.title())}</div>'
            f'<span class="jxs-badge">{esc(totals_str(d["totals"]))}</span>'
        ]
        parts.extend(
            f'<span class="jxs-badge jxs-pytree-dtype">{esc(k)}: {v:,}</span>'
            for k, v in d["dtypes"]
        )
        parts.append("</div>")
        budget = [d["max_leaves"]]
        parts.append('<div class="jxs-pytree-tree jxs-mono">')
        parts.append(self._html_node(d["root"], 0, budget))
        parts.append("</div>")
        shown = d["max_leaves"] - budget[0]
        if shown < d["n_nodes"]:
            note = _cap_note(d["n_nodes"] - shown, d["max_leaves"])
            parts.append(f'<div class="jxs-pytree-note">{esc(note)}</div>')
        parts.extend(f'<div class="jxs-pytree-note">{esc(n)}</div>' for n in d["notes"])
        if d.get("treescope"):
            parts.append(
                '<details class="jxs-pytree-treescope"><summary>treescope view</summary>'
                f"{d['treescope']}</details>"
            )
        parts.append(
            '<div class="jxs-pytree-legend jxs-muted">Key paths are what '
            "<code>jax.tree_util.keystr</code> prints; parameters count the elements of array "
            "leaves (PRNG keys and Python values apart). Values are never shown, only shapes, "
            "dtypes and, for small arrays, min/max/mean.</div>"
        )
        return "".join(parts)

    def _html_node(self, rec: dict, depth: int, budget: list[int]) -> str:
        if budget[0] <= 0:
            return ""
        budget[0] -= 1
        path = rec["path"] or "(root)"
        data_path = f' data-path="{esc(rec["path"])}"'
        key = (
            f'<span class="jxs-pytree-key">{esc(rec["key"])}</span>'
            if rec["key"]
            else '<span class="jxs-pytree-key jxs-muted">(root)</span>'
        )
        if rec["node"] == "leaf":
            return self._html_leaf(rec, key, path, data_path)
        head = node_head(rec)
        if not rec["children"]:
            return (
                f'<div class="jxs-pytree-empty" title="{esc(path)}"{data_path}>{key} '
                f'<span class="jxs-pytree-type">{esc(head)}</span></div>'
            )
        opened = " open" if depth < OPEN_DEPTH else ""
        parts = [
            f'<details class="jxs-pytree-node"{opened}>'
            f'<summary title="{esc(path)}"{data_path}>{key} '
            f'<span class="jxs-pytree-type">{esc(head)}</span> '
            f'<span class="jxs-pytree-tot">{esc(totals_str(rec["totals"]))}</span></summary>'
            '<div class="jxs-pytree-kids">'
        ]
        for child in rec["children"]:
            if budget[0] <= 0:
                break
            parts.append(self._html_node(child, depth + 1, budget))
        parts.append("</div></details>")
        return "".join(parts)

    @staticmethod
    def _html_leaf(rec: dict, key: str, path: str, data_path: str) -> str:
        cls = f"jxs-pytree-leaf jxs-pytree-{rec['kind']}"
        if rec["kind"] in ("scalar", "object"):
            cells = (
                f'<span class="jxs-pytree-shape">{esc(rec["type"])}</span>'
                f'<span class="jxs-pytree-value">{esc(rec["value"])}</span>'
            )
        else:
            dtype = rec["dtype"] + (" (weak)" if rec.get("weak") else "")
            tag = {
                "key": "PRNG key",
                "abstract": "ShapeDtypeStruct",
                "tracer": "tracer",
                "numpy": "numpy",
            }.get(rec["kind"], "")
            extra = " · ".join(x for x in (tag, rec.get("stats", "")) if x)
            cells = (
                f'<span class="jxs-pytree-shape">{esc(shape_str(rec["shape"]))}</span>'
                f'<span class="jxs-pytree-dtype">{esc(dtype)}</span>'
                f'<span class="jxs-pytree-size" title="{rec["bytes"]:,} bytes">'
                f"{esc(fmt_bytes(rec['bytes']))}</span>"
                f'<span class="jxs-pytree-extra">{esc(extra)}</span>'
            )
        return f'<div class="{cls}" title="{esc(path)}"{data_path}>{key}{cells}</div>'


def _cap_note(hidden: int, cap: int) -> str:
    return (
        f"… {hidden:,} more node{'s' if hidden != 1 else ''} not shown "
        f"(max_leaves={cap}); totals above count everything."
    )
