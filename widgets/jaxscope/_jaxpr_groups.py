"""Equations grouped the way the model is written: by module, named scope or calling function.

Each equation gets a *path*: the scopes of its name stack (``jax.named_scope``; Flax Linen,
Equinox and Haiku modules push one each) or, for a jaxpr whose equations mostly carry none
(Flax NNX, plain Python functions), the functions on its Python call stack. :func:`group_tree`
folds consecutive equations sharing a path prefix into nested groups, each with its equation
count, input and output shapes and an estimate of its flops (:func:`eqn_flops`).
"""

from __future__ import annotations

import math
from typing import Any

CHUNK = 500  # a run of ungrouped equations longer than this is folded in chunks of this size
SHOWN_SHAPES = 3  # input/output shapes listed on a group's header

_ELEMENTWISE = frozenset(
    "abs acos acosh add asin asinh atan atan2 atanh cbrt ceil clamp cos cosh div erf erf_inv "
    "erfc exp exp2 expm1 floor integer_pow igamma lgamma digamma log log1p logistic max min "
    "mul neg nextafter pow rem round rsqrt select_n sign sin sinh sqrt square sub tan tanh "
    "and or xor not eq ne lt le gt ge is_finite".split()
)
_REDUCTIONS = frozenset(
    "reduce_sum reduce_max reduce_min reduce_prod reduce_and reduce_or argmax argmin "
    "cumsum cumprod cummax cummin cumlogsumexp reduce_precision".split()
)


def _size(aval: Any) -> int:
    return math.prod(getattr(aval, "shape", ()) or ())


def eqn_flops(eqn: Any) -> int:
    """XLA-style flop estimate of one equation, without its sub-jaxprs: ``2·M·N·K`` for a
    contraction or convolution, one per element for elementwise ops and reductions, else 0."""
    prim = eqn.primitive.name
    outs = [v.aval for v in eqn.outvars]
    try:
        if prim == "dot_general":
            (lhs_contract, _), _ = eqn.params["dimension_numbers"]
            shape = eqn.invars[0].aval.shape
            return 2 * _size(outs[0]) * math.prod(shape[d] for d in lhs_contract)
        if prim == "conv_general_dilated":
            rhs = eqn.invars[1].aval.shape
            out_feature = eqn.params["dimension_numbers"].rhs_spec[0]
            return 2 * _size(outs[0]) * math.prod(rhs) // max(rhs[out_feature], 1)
        if prim in _ELEMENTWISE:
            return sum(_size(a) for a in outs)
        if prim in _REDUCTIONS:
            return _size(eqn.invars[0].aval)
    except Exception:  # noqa: BLE001 - an unusual equation: no estimate
        return 0
    return 0


def flops_text(n: float) -> str:
    """``950 flop``, ``1.2 kflop``, ``3.4 Mflop``, ``5.6 Gflop``."""
    for unit, size in (("Tflop", 1e12), ("Gflop", 1e9), ("Mflop", 1e6), ("kflop", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} flop"


# --- paths -------------------------------------------------------------------------------------
def scope_path(eqn: Any) -> tuple[tuple[str, int], ...]:
    """The ``jax.named_scope`` / module scopes of an equation (transform markers dropped)."""
    stack = getattr(getattr(eqn.source_info, "name_stack", None), "stack", ())
    return tuple((s.name, 0) for s in stack if type(s).__name__ == "Scope" and s.name)


def frame_label(function_name: str) -> str:
    """``f.<locals>.Block.__call__`` -> ``Block``; ``MLP._project`` stays as it is."""
    label = function_name.rsplit(".<locals>.", 1)[-1]
    return label.removesuffix(".__call__")


def frames_path(frames: list[Any]) -> tuple[tuple[str, int], ...]:
    """The calling functions of an equation, outermost first, each with its current line."""
    return tuple((frame_label(f.function_name), f.start_line) for f in reversed(frames))


def choose_paths(scopes: list[tuple], frames: list[tuple]) -> list[tuple]:
    """Scopes when at least half of the equations carry one, else the call stacks."""
    scoped = sum(1 for s in scopes if s)
    return scopes if scopes and 2 * scoped >= len(scopes) else frames


# --- grouping -----------------------------------------------------------------------------------
def _common_prefix(paths: list[tuple]) -> int:
    if not paths:
        return 0
    first = paths[0]
    n = min(len(p) for p in paths)
    for i in range(n):
        label = first[i][0]
        if any(p[i][0] != label for p in paths):
            return i
    return n


def group_tree(paths: list[tuple], n_eqns: int) -> list[Any]:
    """Nested groups over equations ``0..n_eqns-1``: a list of equation indices and groups
    ``{"label", "start", "end", "items"}``; a new group opens where the path changes or where
    a function starts again (its line goes back: the next call of the same module)."""
    cut = _common_prefix(paths)
    root: dict[str, Any] = {"items": []}
    open_: list[dict[str, Any]] = []  # open groups, outermost first, with their last line
    for i in range(n_eqns):
        path = paths[i][cut:] if i < len(paths) else ()
        keep = 0
        while keep < min(len(open_), len(path)):
            g = open_[keep]
            label, line = path[keep]
            if g["label"] != label or line < g["line"]:
                break
            keep += 1
        for g in open_[keep:]:
            g["end"] = i
        del open_[keep:]
        for depth, g in enumerate(open_):
            g["line"] = path[depth][1]
        for label, line in path[keep:]:
            g = {"label": label, "line": line, "start": i, "end": n_eqns, "items": []}
            (open_[-1] if open_ else root)["items"].append(g)
            open_.append(g)
        (open_[-1] if open_ else root)["items"].append(i)
    return _chunk(_simplify(root["items"]), 0, n_eqns)


def _simplify(items: list[Any]) -> list[Any]:
    """Single-equation groups become plain equations; a group holding one group merges with it."""
    out: list[Any] = []
    for it in items:
        if isinstance(it, int):
            out.append(it)
            continue
        it.pop("line", None)
        it["items"] = _simplify(it["items"])
        while len(it["items"]) == 1 and isinstance(it["items"][0], dict):
            inner = it["items"][0]
            it["label"] = f"{it['label']}/{inner['label']}"
            it["items"] = inner["items"]
        if it["end"] - it["start"] == 1:
            out.extend(it["items"])
        else:
            out.append(it)
    return out


def _chunk(items: list[Any], start: int, end: int) -> list[Any]:
    """Long runs of items are folded into groups of :data:`CHUNK` equations each."""
    for it in items:
        if isinstance(it, dict):
            it["items"] = _chunk(it["items"], it["start"], it["end"])
    if end - start <= CHUNK or len(items) <= CHUNK // 10:
        return items
    out: list[Any] = []
    current: list[Any] = []

    def first(it: Any) -> int:
        return it if isinstance(it, int) else it["start"]

    def last(it: Any) -> int:
        return it + 1 if isinstance(it, int) else it["end"]

    for it in items:
        current.append(it)
        if last(it) - first(current[0]) >= CHUNK:
            out.append(current)
            current = []
    if current:
        out.append(current)
    if len(out) == 1:
        return items
    return [
        {
            "label": f"equations {first(c[0]) + 1}–{last(c[-1])}",
            "start": first(c[0]),
            "end": last(c[-1]),
            "items": c,
        }
        for c in out
    ]


def annotate(tree: list[Any], eqns: list[dict], outvar_ids: set[str]) -> None:
    """Give every group its equation count, flops and the shapes it reads and writes."""
    last_use: dict[str, int] = {}
    def_at: dict[str, int] = {}
    for i, e in enumerate(eqns):
        for a in e["invars"]:
            if "id" in a:
                last_use[a["id"]] = i
        for o in e["outvars"]:
            if "id" in o:
                def_at[o["id"]] = i
    big = len(eqns)
    for vid in outvar_ids:
        last_use[vid] = big

    def walk(items: list[Any]) -> None:
        for g in items:
            if isinstance(g, int):
                continue
            walk(g["items"])
            s, t = g["start"], g["end"]
            ins: dict[str, str] = {}
            outs: dict[str, str] = {}
            n, flops = 0, 0
            for e in eqns[s:t]:
                n += e["n"]
                flops += e["flops"]
                for a in e["invars"]:
                    if "id" in a and def_at.get(a["id"], -1) < s:
                        ins.setdefault(a["id"], a["aval"])
                for o in e["outvars"]:
                    if "id" in o and last_use.get(o["id"], -1) >= t:
                        outs[o["id"]] = o["aval"]
            g["n"], g["flops"] = n, flops
            g["ins"], g["outs"] = list(ins.values()), list(outs.values())

    walk(tree)


def shapes_text(avals: list[str]) -> str:
    """``f32[8,32], f32[32] +3``: the first few shapes of a group's inputs or outputs."""
    shown = ", ".join(avals[:SHOWN_SHAPES])
    more = len(avals) - SHOWN_SHAPES
    return (shown or "()") + (f" +{more}" if more > 0 else "")
