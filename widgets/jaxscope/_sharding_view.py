"""``js.sharding(x)``: which device holds which block of an array, over the array and the mesh.

The model (:func:`sharding_model`) asks the sharding itself (``devices_indices_map(shape)``) which
index ranges each device holds, groups devices holding the same ranges into *blocks* (distinct
shards; more than one device per block means replication), and reads the mesh (axis names, sizes,
axis types, device ids) and the ``PartitionSpec`` of a ``NamedSharding``. Arrays of more than two
dimensions are drawn by their first two dimensions. :class:`ShardingView` renders the array as a
grid of coloured blocks (a CSS grid computed here, one palette colour per block, replicated blocks
striped), the mesh as a table of device ids in their block's colour, and a text grid of its own.
Only device ids appear, never device or array reprs, so the output is deterministic.
"""

from __future__ import annotations

from typing import Any

from ._errors import short_repr
from ._explain import safe_str
from ._view import View, esc

PALETTE = 12  # colours jxs-sharding-c0 .. c11 in the stylesheet; blocks cycle through them
CELL_IDS = 8  # device ids listed in one block of the drawing before "+N"
CONCEPT = "named-sharding"
HOW = "jax.device_put(x, NamedSharding(mesh, P(...)))"


# --------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------
def sharding(array_or_sharding: Any, shape: tuple[int, ...] | None = None) -> ShardingView:
    """Show how an array is laid out over devices: mesh, PartitionSpec, blocks, replication.

    ``array_or_sharding`` is a ``jax.Array`` (any sharding: ``NamedSharding`` with Explicit or
    Auto axes, a single device, ``jit`` / ``shard_map`` outputs), a ``ShapeDtypeStruct`` with a
    sharding, or a bare ``Sharding`` together with ``shape=``. Returns a :class:`ShardingView`.
    """
    import jax

    x = array_or_sharding
    dtype = None
    if isinstance(x, jax.core.Tracer):
        raise TypeError(
            "array_or_sharding is a tracer (a value inside jit, grad or vmap), which has no "
            "devices yet; call js.sharding(y) on the result outside the transformation, or "
            "inspect jax.typeof(x).sharding inside it"
        )
    if isinstance(x, jax.sharding.Sharding):
        if shape is None:
            raise ValueError(
                "array_or_sharding is a bare sharding, which fits arrays of many shapes; pass "
                "the array's shape too, e.g. js.sharding(sharding, shape=(8, 4))"
            )
        sh = x
    elif isinstance(x, jax.Array) or (
        isinstance(x, jax.ShapeDtypeStruct) and getattr(x, "sharding", None) is not None
    ):
        sh = x.sharding
        dtype = str(x.dtype)
        if shape is not None and tuple(shape) != tuple(x.shape):
            raise ValueError(
                f"shape={tuple(shape)!r} does not match the array's shape {tuple(x.shape)!r}; "
                "leave shape out when passing an array"
            )
        shape = tuple(x.shape)
    else:
        raise TypeError(
            f"array_or_sharding must be a jax.Array placed on devices or a jax.sharding.Sharding,"
            f" got {type(x).__name__} {short_repr(x)}; put it on devices first, e.g. "
            f"y = {HOW}, then js.sharding(y)"
        )
    shape = _check_shape(shape)
    return ShardingView(sharding_model(sh, shape, dtype=dtype))


def _check_shape(shape: Any) -> tuple[int, ...]:
    try:
        out = tuple(shape)
    except TypeError:
        out = None
    if out is None or not all(isinstance(d, int) and not isinstance(d, bool) for d in out):
        raise TypeError(
            f"shape must be a tuple of ints, e.g. shape=(8, 4); got {short_repr(shape)}"
        )
    if any(d < 0 for d in out):
        raise ValueError(f"shape must not have negative sizes, got {out!r}")
    return out


# --------------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------------
def _ranges(index: tuple, shape: tuple[int, ...]) -> list[list[int]]:
    """``(slice(0, 2), slice(None))`` for shape ``(4, 8)`` -> ``[[0, 2], [0, 8]]``."""
    out = []
    for dim, s in zip(
        shape, tuple(index) + (slice(None),) * (len(shape) - len(index)), strict=False
    ):
        start, stop, _ = s.indices(dim) if isinstance(s, slice) else (int(s), int(s) + 1, 1)
        out.append([start, stop])
    return out


def range_str(ranges: list[list[int]]) -> str:
    """``[[0, 2], [0, 8]]`` -> ``[0:2, 0:8]`` (a scalar: ``[]``)."""
    return "[" + ", ".join(f"{a}:{b}" for a, b in ranges) + "]"


def sharding_model(sh: Any, shape: tuple[int, ...], dtype: str | None = None) -> dict[str, Any]:
    """Plain data for ``sh`` laid over an array of ``shape``: blocks, devices, mesh, spec."""
    try:
        dmap = sh.devices_indices_map(tuple(shape))
    except Exception as exc:  # indivisible shapes, abstract meshes, ...
        raise ValueError(
            f"this sharding cannot lay out an array of shape {tuple(shape)!r}: "
            f"{_first_line(exc)}; each sharded dimension must divide evenly by its mesh axes"
        ) from exc
    per_device = sorted(((d.id, _ranges(idx, shape)) for d, idx in dmap.items()))
    by_range: dict[str, list[int]] = {}
    range_of: dict[str, list[list[int]]] = {}
    for dev, ranges in per_device:
        k = range_str(ranges)
        by_range.setdefault(k, []).append(dev)
        range_of[k] = ranges
    order = sorted(by_range, key=lambda k: range_of[k])
    blocks = [
        {
            "index": range_of[k],
            "range": k,
            "devices": by_range[k],
            "shape": [b - a for a, b in range_of[k]],
        }
        for k in order
    ]
    block_of = {k: i for i, k in enumerate(order)}
    devices = [
        {"id": dev, "range": range_str(r), "block": block_of[range_str(r)]} for dev, r in per_device
    ]
    reps = sorted({len(b["devices"]) for b in blocks})
    try:
        shard_shape = list(sh.shard_shape(tuple(shape)))
    except Exception:  # noqa: BLE001
        shard_shape = blocks[0]["shape"] if blocks else []
    model: dict[str, Any] = {
        "type": type(sh).__name__,
        "shape": list(shape),
        "dtype": dtype,
        "n_devices": len(devices),
        "devices": devices,
        "blocks": blocks,
        "shard_shape": shard_shape,
        "replication": reps[0] if len(reps) == 1 else None,
        "replication_range": [reps[0], reps[-1]] if reps else [1, 1],
        "fully_replicated": len(blocks) == 1 and len(devices) > 1,
        "mesh": None,
        "spec": None,
        "dims": [],
        "concept": CONCEPT,
        "notes": [],
    }
    mesh = getattr(sh, "mesh", None)
    spec = getattr(sh, "spec", None)
    if mesh is not None and hasattr(mesh, "device_ids") and spec is not None:
        model["mesh"] = _mesh_model(mesh)
        model["spec"] = _spec_str(spec)
        model["dims"] = _dims(spec, len(shape))
        used = {a for entry in model["dims"] for a in entry}
        for ax in model["mesh"]["axes"]:
            ax["use"] = next(
                (f"dim {i}" for i, entry in enumerate(model["dims"]) if ax["name"] in entry),
                "",
            )
            if ax["name"] not in used and ax["size"] > 1:
                ax["use"] = "replicated over"
    model["grid"] = _grid(blocks, shape)
    if len(shape) > 2:
        model["notes"].append(
            f"The array has {len(shape)} dimensions: the drawing shows how dims 0 and 1 are "
            "partitioned; the table below lists every device's full index range."
        )
    return model


def _first_line(exc: BaseException) -> str:
    text = safe_str(exc).strip().splitlines()
    return short_repr(text[0] if text else type(exc).__name__, 200).strip("'\"")


def _mesh_model(mesh: Any) -> dict[str, Any]:
    import numpy as np

    names = [str(n) for n in mesh.axis_names]
    ids = np.asarray(mesh.device_ids)
    types = getattr(mesh, "axis_types", None) or ()
    axes = []
    for i, name in enumerate(names):
        t = types[i] if i < len(types) else None
        axes.append(
            {
                "name": name,
                "size": int(ids.shape[i]),
                "type": getattr(t, "name", str(t)) if t is not None else "",
            }
        )
    return {"axes": axes, "device_ids": ids.tolist()}


def _spec_str(spec: Any) -> str:
    parts = []
    for entry in tuple(spec):
        if entry is None:
            parts.append("None")
        elif isinstance(entry, (tuple, list)):
            parts.append("(" + ", ".join(repr(str(e)) for e in entry) + ")")
        else:
            parts.append(repr(str(entry)))
    return "P(" + ", ".join(parts) + ")"


def _dims(spec: Any, ndim: int) -> list[list[str]]:
    """The mesh axes each array dimension is split over (``[]``: not split, whole on each)."""
    out: list[list[str]] = []
    entries = list(tuple(spec)) + [None] * max(0, ndim - len(tuple(spec)))
    for entry in entries[:ndim]:
        if entry is None:
            out.append([])
        elif isinstance(entry, (tuple, list)):
            out.append([str(e) for e in entry])
        else:
            out.append([str(entry)])
    return out


def _grid(blocks: list[dict], shape: tuple[int, ...]) -> dict[str, Any]:
    """The drawing: blocks projected onto dims 0 and 1 (a 1-D array is one row of columns)."""
    nd = len(shape)
    row_dim, col_dim = (0, 1) if nd >= 2 else (None, 0 if nd == 1 else None)
    cells: dict[tuple, dict[str, Any]] = {}
    for i, b in enumerate(blocks):
        r = tuple(b["index"][row_dim]) if row_dim is not None else (0, 1)
        c = tuple(b["index"][col_dim]) if col_dim is not None else (0, 1)
        cell = cells.setdefault(
            (r, c), {"rows": list(r), "cols": list(c), "blocks": [], "devices": []}
        )
        cell["blocks"].append(i)
        cell["devices"].extend(b["devices"])
    row_bounds = sorted({v for (r, _c) in cells for v in r})
    col_bounds = sorted({v for (_r, c) in cells for v in c})
    out_cells = []
    for j, (key, cell) in enumerate(sorted(cells.items())):
        (r0, r1), (c0, c1) = key
        cell["devices"] = sorted(cell["devices"])
        cell["color"] = j % PALETTE
        cell["grid"] = [
            row_bounds.index(r0),
            row_bounds.index(r1),
            col_bounds.index(c0),
            col_bounds.index(c1),
        ]
        label = []
        if row_dim is not None:
            label.append(f"{r0}:{r1}")
        if col_dim is not None:
            label.append(f"{c0}:{c1}")
        cell["range"] = "[" + ", ".join(label) + (", …" if nd > 2 else "") + "]"
        cell["replicated"] = len(cell["devices"]) > len(cell["blocks"])
        out_cells.append(cell)
    return {
        "row_dim": row_dim,
        "col_dim": col_dim,
        "row_sizes": [b - a for a, b in zip(row_bounds, row_bounds[1:], strict=False)],
        "col_sizes": [b - a for a, b in zip(col_bounds, col_bounds[1:], strict=False)],
        "cells": out_cells,
    }


# --------------------------------------------------------------------------------------------
# renderers
# --------------------------------------------------------------------------------------------
def _ids(devices: list[int], limit: int = CELL_IDS) -> str:
    shown = ",".join(map(str, devices[:limit]))
    return shown + (f",…(+{len(devices) - limit})" if len(devices) > limit else "")


def _aval(d: dict) -> str:
    dims = ",".join(map(str, d["shape"]))
    return f"{d['dtype'] or 'array'}[{dims}]"


def _headline(d: dict) -> str:
    return f"sharding of {_aval(d)}: {d['type']}" + (f" {d['spec']}" if d["spec"] else "")


def _mesh_str(d: dict) -> str:
    m = d["mesh"]
    if m is None:
        return ""
    axes = " × ".join(f"{a['name']}={a['size']}" for a in m["axes"]) or "(no axes)"
    types = ", ".join(a["type"] for a in m["axes"] if a["type"])
    return f"mesh {axes}" + (f" ({types} axes)" if types else "")


def _replication_str(d: dict) -> str:
    if d["fully_replicated"]:
        return f"fully replicated: every one of the {d['n_devices']} devices holds the whole array"
    if d["n_devices"] == 1:
        return "one device holds the whole array"
    if d["replication"] is None:
        lo, hi = d["replication_range"]
        return f"replication between ×{lo} and ×{hi} (uneven)"
    if d["replication"] == 1:
        return "no replication: each device holds a different block"
    return f"replication ×{d['replication']}: each block is held by {d['replication']} devices"


def _facts(d: dict) -> list[str]:
    n_blocks = len(d["blocks"])
    facts = [
        f"{d['n_devices']} device{'s' if d['n_devices'] != 1 else ''}, "
        f"{n_blocks} distinct block{'s' if n_blocks != 1 else ''}, "
        f"shard shape {tuple(d['shard_shape'])!r}",
        _replication_str(d),
    ]
    if d["mesh"] is not None:
        how = []
        for i, axes in enumerate(d["dims"]):
            how.append(f"dim {i} ← {'×'.join(axes)}" if axes else f"dim {i} whole")
        unused = [a["name"] for a in d["mesh"]["axes"] if a.get("use") == "replicated over"]
        if unused:
            how.append("replicated over " + ", ".join(unused))
        facts.insert(0, _mesh_str(d) + ("; " + "; ".join(how) if how else ""))
    return facts


def _box(rows: list[list[list[str]]], widths: list[int]) -> list[str]:
    """A box-drawn table; each cell is a list of lines, padded to ``widths``."""

    def rule(left: str, mid: str, right: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + right

    out = [rule("┌", "┬", "┐")]
    for i, row in enumerate(rows):
        height = max(len(c) for c in row)
        for k in range(height):
            out.append(
                "│"
                + "│".join(
                    f" {(c[k] if k < len(c) else ''):^{w}} "
                    for c, w in zip(row, widths, strict=True)
                )
                + "│"
            )
        out.append(rule("├", "┼", "┤") if i < len(rows) - 1 else rule("└", "┴", "┘"))
    return out


def _text_grid(d: dict) -> list[str]:
    g = d["grid"]
    nr, nc = max(1, len(g["row_sizes"])), max(1, len(g["col_sizes"]))
    table: list[list[list[str]]] = [[[""] for _ in range(nc)] for _ in range(nr)]
    for cell in g["cells"]:
        r0, _r1, c0, _c1 = cell["grid"]
        devs = cell["devices"]
        head = f"dev {_ids(devs)}" if len(devs) == 1 else f"devs {_ids(devs)}"
        table[r0][c0] = [head, cell["range"]]
    widths = [max(len(line) for row in table for line in row[j]) for j in range(nc)]
    lines = _box(table, widths)
    return [f"array blocks ({_grid_axes(g)}):", *["  " + ln for ln in lines]]


def _grid_axes(g: dict) -> str:
    axes = []
    if g["row_dim"] is not None:
        axes.append("dim 0 ↓")
    if g["col_dim"] is not None:
        axes.append(f"dim {g['col_dim']} →")
    return ", ".join(axes) or "a scalar"


def _mesh_table(d: dict) -> tuple[list[str], list[str], list[list[int]]]:
    """Column labels, row labels and device ids of the mesh drawn as a table (≤ 2 shown axes)."""
    import itertools

    m = d["mesh"]
    if m is None:
        ids = [dev["id"] for dev in d["devices"]]
        return [""] * len(ids), [""], [ids]
    axes = m["axes"]
    ids = m["device_ids"]
    if not axes:
        return [""], [""], [[ids]] if isinstance(ids, int) else [[ids[0]]]
    if len(axes) == 1:
        return [f"{axes[0]['name']}={i}" for i in range(axes[0]["size"])], [""], [list(ids)]
    rest = axes[1:]
    cols = [
        ",".join(f"{a['name']}={i}" for a, i in zip(rest, combo, strict=True))
        for combo in itertools.product(*(range(a["size"]) for a in rest))
    ]

    def flat(x: Any) -> list[int]:
        return [v for y in x for v in flat(y)] if isinstance(x, list) else [x]

    rows = [f"{axes[0]['name']}={i}" for i in range(axes[0]["size"])]
    return cols, rows, [flat(r) for r in ids]


def _text_mesh(d: dict) -> list[str]:
    block_of = {dev["id"]: dev["block"] for dev in d["devices"]}
    cols, rows, ids = _mesh_table(d)
    title = "mesh devices (id:block)" if d["mesh"] is not None else "devices (id:block)"
    table = [[[c] for c in cols]] if any(cols) else []
    row_w = max(len(r) for r in rows)
    body = [[[f"{i}:b{block_of.get(i, '?')}"] for i in row] for row in ids]
    if table:
        table += body
    else:
        table = body
    widths = [max(len(r[j][0]) for r in table) for j in range(len(table[0]))]
    lines = _box(table, widths)
    labels = ([""] if any(cols) else []) + rows
    out = [f"{title}:"]
    k = 0
    for ln in lines:
        is_content = ln.startswith("│")
        label = labels[k] if is_content and k < len(labels) else ""
        if is_content:
            k += 1
        out.append(f"  {label:<{row_w}} {ln}" if row_w else f"  {ln}")
    return out


class ShardingView(View):
    """An array's layout over devices: blocks coloured per shard, the mesh, spec, replication."""

    kind = "sharding"
    styles = ("sharding",)

    def text(self) -> str:
        d = self.data
        lines = [_headline(d)]
        lines.extend(f"  {f}" for f in _facts(d))
        lines.extend(_text_grid(d))
        lines.extend(_text_mesh(d))
        lines.append("devices → index ranges:")
        w = max(len(str(dev["id"])) for dev in d["devices"]) if d["devices"] else 1
        for dev in d["devices"]:
            lines.append(f"  device {dev['id']:>{w}}: {dev['range']}  block {dev['block']}")
        lines.extend(d["notes"])
        return "\n".join(lines)

    # --- html ---------------------------------------------------------------------------------
    def html_body(self) -> str:
        d = self.data
        parts = [
            f'<div class="jxs-sharding-header"><div class="jxs-head">{esc(_headline(d))}</div>'
        ]
        parts.extend(f'<div class="jxs-sharding-fact">{esc(f)}</div>' for f in _facts(d))
        parts.append("</div>")
        parts.append('<div class="jxs-sharding-panels">')
        parts.append(self._html_grid())
        parts.append(self._html_mesh())
        parts.append("</div>")
        parts.extend(f'<div class="jxs-sharding-note">{esc(n)}</div>' for n in d["notes"])
        parts.append(self._html_devices())
        parts.append(
            '<div class="jxs-sharding-legend jxs-muted">Each colour is one distinct block of '
            "the array; a striped block (×n) is replicated on n devices. Ranges are "
            "start:stop per dimension, as in <code>sharding.devices_indices_map(shape)</code>."
            "</div>"
        )
        return "".join(parts)

    def _html_grid(self) -> str:
        g = self.data["grid"]
        rows = g["row_sizes"] or [1]
        cols = g["col_sizes"] or [1]
        height = max(56, min(320, 56 * len(rows)))
        tmpl_r = " ".join(f"minmax(2.6em, {max(1, s)}fr)" for s in rows)
        tmpl_c = " ".join(f"minmax(4.2em, {max(1, s)}fr)" for s in cols)
        width = max(160, min(560, 80 * len(cols)))
        parts = [
            '<div class="jxs-sharding-panel"><div class="jxs-sharding-caption">'
            f"array ({esc(_grid_axes(g))})</div>",
            f'<div class="jxs-sharding-grid" style="grid-template-rows: {tmpl_r}; '
            f'grid-template-columns: {tmpl_c}; height: {height}px; width: {width}px;">',
        ]
        for cell in g["cells"]:
            r0, r1, c0, c1 = cell["grid"]
            cls = f"jxs-sharding-block jxs-sharding-c{cell['color']}"
            n = len(cell["devices"])
            rep = ""
            if cell["replicated"]:
                cls += " jxs-sharding-rep"
                rep = f'<span class="jxs-sharding-times">×{n}</span>'
            dev_word = "device" if n == 1 else "devices"
            title = f"{dev_word} {','.join(map(str, cell['devices']))}: {cell['range']}"
            parts.append(
                f'<div class="{cls}" style="grid-row: {r0 + 1} / {r1 + 1}; '
                f'grid-column: {c0 + 1} / {c1 + 1};" title="{esc(title)}">'
                f'<span class="jxs-sharding-ids">{esc(_ids(cell["devices"]))}</span>{rep}'
                f'<span class="jxs-sharding-range">{esc(cell["range"])}</span></div>'
            )
        parts.append("</div></div>")
        return "".join(parts)

    def _html_mesh(self) -> str:
        d = self.data
        colour = {}
        for cell in d["grid"]["cells"]:
            for b in cell["blocks"]:
                colour[b] = cell["color"]
        block_of = {dev["id"]: dev["block"] for dev in d["devices"]}
        cols, rows, ids = _mesh_table(d)
        caption = esc(_mesh_str(d)) if d["mesh"] is not None else "devices"
        parts = [
            f'<div class="jxs-sharding-panel"><div class="jxs-sharding-caption">{caption}</div>'
            '<table class="jxs-sharding-mesh">'
        ]
        if any(cols):
            parts.append("<tr><th></th>" + "".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>")
        for label, row in zip(rows, ids, strict=True):
            parts.append(f"<tr><th>{esc(label)}</th>")
            for i in row:
                b = block_of.get(i)
                cls = f"jxs-sharding-dev jxs-sharding-c{colour.get(b, 0)}"
                parts.append(
                    f'<td class="{cls}" title="device {i}: block {b}">{i}'
                    f'<span class="jxs-sharding-bno">b{b}</span></td>'
                )
            parts.append("</tr>")
        parts.append("</table></div>")
        return "".join(parts)

    def _html_devices(self) -> str:
        d = self.data
        rows = "".join(
            f'<tr><td class="jxs-num">{dev["id"]}</td><td><code>{esc(dev["range"])}</code></td>'
            f'<td class="jxs-num">{dev["block"]}</td></tr>'
            for dev in d["devices"]
        )
        return (
            '<details class="jxs-sharding-table"><summary>devices → index ranges</summary>'
            '<table class="jxs-table"><tr><th>device</th><th>index range</th><th>block</th></tr>'
            f"{rows}</table></details>"
        )
