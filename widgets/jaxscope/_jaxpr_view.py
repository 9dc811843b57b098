"""``js.jaxpr(fn, *args)``: the jaxpr JAX builds for a function, with every sub-jaxpr.

The model (:func:`jaxpr_model`) turns a ``ClosedJaxpr`` into plain data: variables with avals and
our own deterministic names, equations with summarised params, source lines and nested records
for every sub-jaxpr (jit, cond, while, scan, custom_jvp/vjp, remat, shard_map, ...), primitive
counts and a dataflow graph layout; each record's equations are grouped by module or calling
function (:mod:`._jaxpr_groups`). :class:`JaxprView` renders that data as text (close to JAX's
own pretty-print), as static HTML (every equation, folded by group, with an inline SVG graph for
small jaxprs) and as a live widget, which inserts folded parts of a huge jaxpr when opened.
"""

from __future__ import annotations

import inspect
import linecache
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from ._binding import bind
from ._consts import array_summary
from ._errors import error_panel, fn_name, require_callable, short_repr
from ._explain import short_path
from ._jaxpr_groups import (
    annotate,
    choose_paths,
    eqn_flops,
    flops_text,
    frames_path,
    group_tree,
    scope_path,
    shapes_text,
)
from ._view import View, esc, stylesheet

PKG_DIR = str(Path(__file__).resolve().parent)
RICH_EQN_LIMIT = 500  # up to this many equations, HTML marks every variable; beyond, compact rows
LAZY_EQN_LIMIT = 5_000  # beyond this many equations the widget inserts folded groups when opened
GROUPS_OPEN_EQNS = 60  # groups of jaxprs up to this size start unfolded
GRAPH_EQN_LIMIT = 60  # top-level equations up to which the dataflow graph is drawn
MODEL_EQN_BUDGET = 50_000  # equation records expanded in the model before sub-jaxprs are elided
_ADDRESS = re.compile(r"\s*at 0x[0-9a-fA-F]+")

LEGEND = (
    ("f32[3]", "float32 array of shape (3,); f32[] is a scalar, i32 int32, bf16 bfloat16..."),
    ("~weak", "weakly typed: came from a Python scalar and takes the dtype of what it meets"),
    ("2.0:f32[]", "a literal: a constant written into the equation by value"),
    ("_", "a result nobody uses (dropped)"),
    ("{V:x} / @x", "inside shard_map: varies over mesh axis x / sharded along axis x"),
    ("lambda c ; a b .", "constants captured from Python (c) before ';', then the inputs"),
)


# --------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------
def jaxpr(
    fn: Any,
    *args: Any,
    static_argnums: int | tuple[int, ...] = (),
    static_argnames: str | tuple[str, ...] = (),
    **kwargs: Any,
) -> View:
    """Show the jaxpr of ``fn(*args, **kwargs)``: equations, sub-jaxprs, sources, counts, graph.

    ``fn`` may be any callable ``jax.make_jaxpr`` accepts (jit/grad/vmap-wrapped ones included);
    ``args`` may be arrays, pytrees of arrays or ``jax.ShapeDtypeStruct`` (nothing is computed).
    Arguments named in ``static_argnums`` / ``static_argnames`` are passed as Python values.
    An already built ``ClosedJaxpr`` may be passed as ``fn`` with no arguments.
    Returns a :class:`JaxprView`, or an error panel when tracing ``fn`` fails.
    """
    from jax.extend.core import ClosedJaxpr, Jaxpr

    if isinstance(fn, (ClosedJaxpr, Jaxpr)):
        if args or kwargs:
            raise TypeError(
                "fn is already a jaxpr, so it takes no arguments; call js.jaxpr(closed_jaxpr) "
                "alone, or pass the function itself: js.jaxpr(f, x)"
            )
        return JaxprView(jaxpr_model(fn))
    require_callable(fn, "fn")
    bound = bind(fn, args, kwargs, static_argnums, static_argnames, view="js.jaxpr")
    try:
        closed = bound.make_jaxpr()
    except Exception as exc:  # noqa: BLE001 - the learner's function failed: explain, don't crash
        return error_panel("Could not trace fn", exc, fn)
    arg_names = bound.leaf_names()
    return JaxprView(jaxpr_model(closed, name=fn_name(fn), arg_names=arg_names))


# --------------------------------------------------------------------------------------------
# model: ClosedJaxpr -> plain data
# --------------------------------------------------------------------------------------------
def _alpha(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> ba, ... (the way JAX names variables)."""
    s = ""
    while not s or n:
        n, i = divmod(n, 26)
        s = chr(97 + i) + s
    return s


def aval_str(aval: Any) -> str:
    """Short aval notation: ``f32[3]``, ``f32[]~weak``, ``key<fry>[]``."""
    try:
        text = aval.str_short(short_dtypes=True)
    except Exception:  # noqa: BLE001 - tokens and other exotic avals
        text = str(aval)
    if getattr(aval, "weak_type", False):
        text += "~weak"
    return text


def _literal_str(val: Any) -> str:
    try:
        arr = np.asarray(val)
    except Exception:  # noqa: BLE001
        return short_repr(val, 40)
    if arr.ndim == 0:
        return repr(arr.item())
    return array_summary(arr)


def _callable_name(value: Any) -> str:
    inner = getattr(value, "callback_func", None)  # pure_callback's _FlatCallback
    if inner is not None:
        return _callable_name(inner)
    inner = getattr(value, "f", None)  # jax's WrappedFun
    if inner is not None and type(value).__name__ == "WrappedFun":
        return _callable_name(inner)
    for attr in ("__qualname__", "__name__"):
        name = getattr(value, attr, None)
        if isinstance(name, str) and name:
            return name
    return type(value).__name__


def param_str(value: Any, limit: int = 120) -> str:
    """A short, deterministic, address-free string for an equation parameter."""
    text = _param_str(value)
    text = " ".join(_ADDRESS.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _param_str(value: Any) -> str:
    if value is None or isinstance(value, (bool, int, float, complex, str)):
        return str(value)
    if isinstance(value, np.dtype):
        return str(value)
    if isinstance(value, (tuple, list)):
        items = [_param_str(v) for v in value]
        if isinstance(value, tuple):
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(_param_str(v) for v in value)) + "}"
    if isinstance(value, dict):
        items = sorted((_param_str(k), _param_str(v)) for k, v in value.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, np.ndarray) or type(value).__name__ in ("ArrayImpl", "TypedNdArray"):
        return array_summary(value)
    if hasattr(value, "callback_func") or type(value).__name__ == "WrappedFun":
        return _callable_name(value)
    if inspect.isfunction(value) or inspect.ismethod(value) or inspect.isbuiltin(value):
        return _callable_name(value)
    try:
        text = str(value)
    except Exception:  # noqa: BLE001
        return type(value).__name__
    if callable(value) and (" at 0x" in text or text.startswith("<")):
        return _callable_name(value)
    return text


def _hidden_param(prim: str, key: str, value: Any) -> bool:
    """Params that only repeat a default (jit's shardings, layouts...), hidden like JAX does."""
    if prim not in ("jit", "pjit", "closed_call", "core_call"):
        return False
    if key in ("in_shardings", "out_shardings"):
        return all(type(v).__name__ == "UnspecifiedValue" for v in value)
    if key in ("in_layouts", "out_layouts"):
        return all(v is None for v in value)
    if key == "donated_invars":
        return not any(value)
    if key in ("keep_unused", "inline"):
        return value is False
    if key == "ctx_mesh":
        return bool(getattr(value, "empty", False))
    if key == "compiler_options_kvs":
        return not value
    return False


def _func_name(value: Any) -> str:
    info = getattr(value, "debug_info", None)
    name = getattr(info, "func_name", None)
    return name if isinstance(name, str) and name else _callable_name(value)


def _display_params(prim: str, params: dict[str, Any]) -> dict[str, Any]:
    """The params worth showing, following JAX's own pretty-print rules for trivial ones."""
    shown = {
        k: v
        for k, v in params.items()
        if not (k in ("accuracy", "out_dtype") and v is None) and not _hidden_param(prim, k, v)
    }
    try:
        if prim in ("custom_jvp_call", "custom_vjp_call"):
            if not shown.get("num_consts"):
                shown.pop("num_consts", None)
            shown.pop("out_trees", None)
            for old, new in (("jvp_jaxpr_fun", "jvp"), ("fwd_jaxpr_thunk", "fwd"), ("bwd", "bwd")):
                if old in shown:
                    shown[new] = _func_name(shown.pop(old))
            call = shown.get("call_jaxpr")
            shown.setdefault("name", _func_name(getattr(call, "jaxpr", call)))
    except Exception:  # noqa: BLE001 - a nicety: fall back to the raw params
        return dict(params)
    return shown


def _sub_jaxprs(value: Any, key: str) -> list[tuple[str, Any]] | None:
    """``[(label, jaxpr)]`` when a param value is a jaxpr or a sequence of jaxprs."""
    from jax.extend.core import ClosedJaxpr, Jaxpr

    if isinstance(value, (ClosedJaxpr, Jaxpr)):
        return [(key, value)]
    if isinstance(value, (tuple, list)) and value:
        if all(isinstance(v, (ClosedJaxpr, Jaxpr)) for v in value):
            return [(f"{key}[{i}]", v) for i, v in enumerate(value)]
    return None


def user_frames(eqn: Any) -> list[Any]:
    """The frames of the learner's (and libraries') code behind an equation, innermost first."""
    from jax._src import source_info_util as siu

    tb = getattr(getattr(eqn, "source_info", None), "traceback", None)
    if tb is None:
        return []
    try:
        return [f for f in siu.user_frames(tb) if not f.file_name.startswith(PKG_DIR)]
    except Exception:  # noqa: BLE001 - source info is a nicety, never a failure
        return []


def source_of(eqn: Any, frames: list[Any] | None = None) -> dict[str, str] | None:
    """The learner's frame behind an equation: ``{"where": "f.py:3 (f)", "code": "..."}``."""
    frames = user_frames(eqn) if frames is None else frames
    if not frames:
        return None
    frame = frames[0]
    code = linecache.getline(frame.file_name, frame.start_line).strip()
    where = f"{short_path(frame.file_name)}:{frame.start_line} ({frame.function_name})"
    return {"where": where, "code": code[:120]}


class _Builder:
    """Walks a jaxpr and its sub-jaxprs, naming every variable once, in reading order."""

    def __init__(self) -> None:
        self.n_vars = 0
        self.n_eqns = 0
        self.budget = MODEL_EQN_BUDGET
        self._aval_text: dict[Any, str] = {}
        self._sources: dict[int, tuple] = {}  # id(traceback) -> (traceback, call path, source)
        from jax.extend.core import ClosedJaxpr, DropVar, Literal

        # looked up once here rather than imported again for each of many variables and equations
        self._closed, self._drop, self._literal = ClosedJaxpr, DropVar, Literal

    def aval(self, aval: Any) -> str:
        """``aval_str``, once per distinct aval (a big jaxpr repeats a few shapes many times)."""
        try:
            text = self._aval_text.get(aval)
        except TypeError:  # an unhashable aval
            return aval_str(aval)
        if text is None:
            text = self._aval_text[aval] = aval_str(aval)
        return text

    def new_var(self, env: dict, var: Any, extra: dict | None = None) -> dict[str, Any]:
        if isinstance(var, self._drop):
            return {"name": "_", "aval": self.aval(var.aval)}
        rec = {"id": f"v{self.n_vars}", "name": _alpha(self.n_vars), "aval": self.aval(var.aval)}
        self.n_vars += 1
        env[var] = rec
        if extra:
            rec.update(extra)
        return rec

    def atom(self, env: dict, x: Any) -> dict[str, Any]:
        if isinstance(x, self._literal):
            aval = self.aval(x.aval).removesuffix("~weak")  # as JAX prints literals
            return {"literal": _literal_str(x.val), "aval": aval}
        rec = env.get(x)
        if rec is None:  # a free variable (should not happen in closed jaxprs)
            return {"name": "?", "aval": aval_str(x.aval)}
        return {"id": rec["id"], "name": rec["name"], "aval": rec["aval"]}

    def record(self, jx: Any, label: str, consts: list | None, arg_names=None) -> dict[str, Any]:
        env: dict = {}
        constvars = []
        for i, v in enumerate(jx.constvars):
            extra = {"value": array_summary(consts[i])} if consts is not None else {}
            constvars.append(self.new_var(env, v, extra))
        invars = []
        for i, v in enumerate(jx.invars):
            extra = {"arg": arg_names[i]} if arg_names and i < len(arg_names) else None
            invars.append(self.new_var(env, v, extra))
        scopes: list[tuple] = []
        calls: list[tuple] = []
        eqns = [self.equation(env, e, scopes, calls) for e in jx.eqns]
        outvars = [self.atom(env, x) for x in jx.outvars]
        effects = sorted(str(e) for e in getattr(jx, "effects", ()) or ())
        tree = group_tree(choose_paths(scopes, calls), len(eqns))
        annotate(tree, eqns, {a["id"] for a in outvars if "id" in a})
        return {
            "label": label,
            "constvars": constvars,
            "invars": invars,
            "eqns": eqns,
            "outvars": outvars,
            "effects": effects,
            "tree": tree,
            "n": sum(e["n"] for e in eqns),
            "flops": sum(e["flops"] for e in eqns),
        }

    def equation(self, env: dict, eqn: Any, scopes: list, calls: list) -> dict[str, Any]:
        """One equation's record; its scope and call-stack paths are appended to the lists."""
        prim = eqn.primitive.name
        index = self.n_eqns
        self.n_eqns += 1
        self.budget -= 1
        invars = [self.atom(env, x) for x in eqn.invars]
        outvars = [self.new_var(env, v) for v in eqn.outvars]
        params: list[list[str]] = []
        subs: list[dict[str, Any]] = []
        shown = _display_params(prim, eqn.params)
        for key in sorted(shown, key=lambda k: (k != "name", k)):
            value = shown[key]
            found = _sub_jaxprs(value, key)
            if found is not None:
                for label, sub in found:
                    if self.budget <= 0:
                        subs.append({"label": label, "elided": _count_eqns(sub)})
                        continue
                    if isinstance(sub, self._closed):
                        subs.append(self.record(sub.jaxpr, label, list(sub.consts)))
                    else:
                        subs.append(self.record(sub, label, None))
                continue
            params.append([key, param_str(value)])
        inner = [sub for sub in subs if "eqns" in sub]
        times = eqn.params.get("length", 1) if prim == "scan" else 1
        rec: dict[str, Any] = {
            "eid": f"e{index}",
            "primitive": prim,
            "invars": invars,
            "outvars": outvars,
            "params": params,
            "subs": subs,
            "n": 1 + sum(sub["n"] if "eqns" in sub else sub["elided"] for sub in subs),
            "flops": eqn_flops(eqn) + times * sum(sub["flops"] for sub in inner),
        }
        tb = getattr(eqn.source_info, "traceback", None)
        cached = self._sources.get(id(tb))
        if cached is None or cached[0] is not tb:  # shared sub-jaxprs repeat their tracebacks
            frames = user_frames(eqn)
            cached = self._sources[id(tb)] = (tb, frames_path(frames), source_of(eqn, frames))
        scopes.append(scope_path(eqn))
        calls.append(cached[1])
        src = cached[2]
        if src:
            rec["source"] = src["where"]
            rec["code"] = src["code"]
        return rec


def _count_eqns(jx: Any) -> int:
    return sum(_counts(jx, {}).values())


def _counts(jx: Any, memo: dict) -> Counter:
    """Primitive counts of ``jx`` and everything nested in it (memoised on shared jaxprs)."""
    inner = getattr(jx, "jaxpr", jx)
    if not hasattr(inner, "eqns"):
        inner = jx
    key = id(inner)
    if key in memo:
        return memo[key]
    total: Counter = Counter()
    for eqn in inner.eqns:
        total[eqn.primitive.name] += 1
        for k in sorted(eqn.params):
            for _label, sub in _sub_jaxprs(eqn.params[k], k) or ():
                total.update(_counts(sub, memo))
    memo[key] = total
    return total


def jaxpr_model(closed: Any, name: str = "", arg_names: list[str] | None = None) -> dict[str, Any]:
    """Plain data for a ``ClosedJaxpr`` (or an open ``Jaxpr``): the nested records and counts."""
    from jax.extend.core import ClosedJaxpr

    builder = _Builder()
    if isinstance(closed, ClosedJaxpr):
        top = builder.record(closed.jaxpr, "", list(closed.consts), arg_names)
        inner = closed.jaxpr
    else:
        top = builder.record(closed, "", None, arg_names)
        inner = closed
    counts = _counts(inner, {})
    model: dict[str, Any] = {
        "name": name,
        "jaxpr": top,
        "counts": sorted(([p, n] for p, n in counts.items()), key=lambda pn: (-pn[1], pn[0])),
        "n_eqns": sum(counts.values()),
        "n_top_eqns": len(inner.eqns),
        "n_subs": _n_subs(top),
        "n_vars": builder.n_vars,
    }
    if model["n_top_eqns"] <= GRAPH_EQN_LIMIT:
        model["graph"] = graph_layout(top)
    return model


def _n_subs(rec: dict) -> int:
    return sum(
        len(e["subs"]) + sum(_n_subs(s) for s in e["subs"] if "eqns" in s) for e in rec["eqns"]
    )


# --------------------------------------------------------------------------------------------
# dataflow graph: longest-path layering, barycentre order within a layer
# --------------------------------------------------------------------------------------------
def graph_layout(rec: dict[str, Any]) -> dict[str, Any]:
    """Nodes (inputs, equations, outputs) with layers and x/y positions, edges by variable."""
    nodes: list[dict[str, Any]] = []
    defs: dict[str, int] = {}
    for v in rec["constvars"] + rec["invars"]:
        defs[v["id"]] = len(nodes)
        label = v["name"] if "arg" not in v else f"{v['name']} ({v['arg']})"
        nodes.append(
            {"kind": "in", "label": label, "title": f"{v['name']}:{v['aval']}", "layer": 0}
        )
    edges: list[dict[str, Any]] = []

    def connect(atom: dict, target: int) -> None:
        src = defs.get(atom.get("id", ""))
        if src is not None:
            edges.append(
                {
                    "src": src,
                    "dst": target,
                    "var": atom["id"],
                    "name": atom["name"],
                    "aval": atom["aval"],
                }
            )

    for e in rec["eqns"]:
        idx = len(nodes)
        layer = 1
        for a in e["invars"]:
            if a.get("id") in defs:
                layer = max(layer, nodes[defs[a["id"]]]["layer"] + 1)
        nodes.append(
            {
                "kind": "eqn",
                "label": e["primitive"],
                "title": e.get("source", ""),
                "layer": layer,
                "eid": e["eid"],
            }
        )
        for a in e["invars"]:
            connect(a, idx)
        for o in e["outvars"]:
            if "id" in o:
                defs[o["id"]] = idx
    out_layer = max([n["layer"] for n in nodes], default=0) + 1
    for i, o in enumerate(rec["outvars"]):
        idx = len(nodes)
        label = o["name"] if "id" in o else o.get("literal", "?")
        nodes.append(
            {"kind": "out", "label": f"out[{i}] {label}", "title": o["aval"], "layer": out_layer}
        )
        connect(o, idx)
    # order within each layer: barycentre of predecessors' positions, ties by index
    preds: dict[int, list[int]] = {}
    for ed in edges:
        preds.setdefault(ed["dst"], []).append(ed["src"])
    layers: dict[int, list[int]] = {}
    for i, n in enumerate(nodes):
        layers.setdefault(n["layer"], []).append(i)
    pos: dict[int, float] = {}
    for lay in sorted(layers):
        members = layers[lay]

        def bary(i: int) -> tuple[float, int]:
            ps = [pos[p] for p in preds.get(i, []) if p in pos]
            return (sum(ps) / len(ps) if ps else float(i), i)

        if lay > 0:
            members.sort(key=bary)
        for rank, i in enumerate(members):
            pos[i] = float(rank)
    # geometry: layers top to bottom, nodes left to right
    char_w, pad, gap_x, gap_y, node_h = 7, 14, 16, 46, 24
    widths = [max(36, char_w * len(n["label"]) + pad) for n in nodes]
    row_w = {lay: sum(widths[i] for i in m) + gap_x * (len(m) - 1) for lay, m in layers.items()}
    width = max(row_w.values(), default=0) + 2 * gap_x
    for lay, members in layers.items():
        x = gap_x + (width - 2 * gap_x - row_w[lay]) / 2
        for i in members:
            nodes[i]["x"] = round(x)
            nodes[i]["y"] = round(gap_y / 2 + lay * (node_h + gap_y))
            nodes[i]["w"] = widths[i]
            x += widths[i] + gap_x
    height = round(gap_y / 2 + (max(layers, default=0) + 1) * (node_h + gap_y) - gap_y / 2)
    return {
        "nodes": nodes,
        "edges": edges,
        "width": round(width),
        "height": height,
        "node_h": node_h,
    }


# --------------------------------------------------------------------------------------------
# text renderer
# --------------------------------------------------------------------------------------------
def _atom_text(a: dict) -> str:
    return f"{a['literal']}:{a['aval']}" if "literal" in a else a["name"]


def _binder_text(v: dict) -> str:
    return f"{v['name']}:{v['aval']}"


def jaxpr_text(rec: dict[str, Any], indent: int = 0) -> list[str]:
    """Lines of one jaxpr record in JAX's pretty-print style (sub-jaxprs indented inline)."""
    pad = " " * indent
    consts = " ".join(_binder_text(v) for v in rec["constvars"])
    ins = " ".join(_binder_text(v) for v in rec["invars"])
    lines = [f"{{ lambda {consts}{' ' if consts else ''}; {ins}. let"]
    for e in rec["eqns"]:
        lines.extend(_eqn_text(e, indent + 4))
    outs = ", ".join(_atom_text(a) for a in rec["outvars"])
    lines.append(f"{pad}  in ({outs}{',' if len(rec['outvars']) == 1 else ''}) }}")
    return lines


def _eqn_text(e: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lhs = " ".join(_binder_text(v) for v in e["outvars"])
    args = " ".join(_atom_text(a) for a in e["invars"])
    head = f"{pad}{lhs}{' = ' if lhs else ''}{e['primitive']}"
    if not e["subs"]:
        params = " ".join(f"{k}={v}" for k, v in e["params"])
        return [f"{head}{'[' + params + ']' if params else ''} {args}".rstrip()]
    lines = [f"{head}["]
    for k, v in e["params"]:
        lines.append(f"{pad}  {k}={v}")
    for sub in e["subs"]:
        if "elided" in sub:
            lines.append(f"{pad}  {sub['label']}={{ … {sub['elided']} equations not expanded … }}")
            continue
        body = jaxpr_text(sub, indent + 2)
        lines.append(f"{pad}  {sub['label']}={body[0]}")
        lines.extend(body[1:])
    lines.append(f"{pad}] {args}".rstrip())
    return lines


def counts_summary(model: dict[str, Any]) -> str:
    """``N equations, primitives: mul×2 sin×1``."""
    prims = " ".join(f"{p}×{n}" for p, n in model["counts"])
    n = model["n_eqns"]
    return f"{n} equation{'s' if n != 1 else ''}, primitives: {prims or '(none)'}"


# --------------------------------------------------------------------------------------------
# HTML renderer
# --------------------------------------------------------------------------------------------
class _Html:
    """Renders records to HTML, every equation included, folded in groups and sub-jaxprs.

    Up to :data:`RICH_EQN_LIMIT` equations each variable is a span with its aval in a tooltip
    and each equation carries its source; beyond that equations are *compact* rows (about a
    third of the bytes: names marked ``<i>``/``<b>``, source lines once per run). With
    ``lazy``, the bodies of folded groups go to :attr:`chunks` for the widget to insert when
    the learner opens them, so a huge jaxpr paints at once.
    """

    def __init__(self, compact: bool, lazy: bool = False) -> None:
        self.compact = compact
        self.lazy = lazy
        self.chunks: list[str] = []
        self.last_src = ""

    def var(self, v: dict, defining: bool = False) -> str:
        if self.compact:
            if "literal" in v:
                return f"{esc(v['literal'])}:{esc(v['aval'])}"
            if "id" not in v:
                return "_"
            return f"<b>{v['name']}</b>:{esc(v['aval'])}" if defining else f"<i>{v['name']}</i>"
        if "literal" in v:
            return (
                f'<span class="jxs-jaxpr-lit" title="literal {esc(v["aval"])}">'
                f"{esc(v['literal'])}</span>"
            )
        if "id" not in v:
            return f'<span class="jxs-jaxpr-drop" title="unused result {esc(v["aval"])}">_</span>'
        cls = "jxs-jaxpr-var jxs-jaxpr-def" if defining else "jxs-jaxpr-var"
        title = f"{v['name']}:{v['aval']}"
        if v.get("arg"):
            title += f" (argument {v['arg']})"
        if v.get("value"):
            title += f" = {v['value']}"
        name = (
            f'<span class="{cls}" data-var="{v["id"]}" title="{esc(title)}">{esc(v["name"])}</span>'
        )
        if defining:
            return f'{name}<span class="jxs-jaxpr-aval">:{esc(v["aval"])}</span>'
        return name

    def block(self, rec: dict[str, Any], depth: int) -> str:
        parts = ['<div class="jxs-jaxpr-block">']
        consts = " ".join(self.var(v, True) for v in rec["constvars"])
        ins = " ".join(self.var(v, True) for v in rec["invars"])
        parts.append(
            f'<div class="jxs-jaxpr-line jxs-jaxpr-sig">{{ <b>lambda</b> {consts}'
            f"{' ' if consts else ''}; {ins}. <b>let</b></div>"
        )
        self.last_src = ""
        parts.append(f'<div class="jxs-jaxpr-eqns">{self.items(rec, rec["tree"], depth)}</div>')
        outs = ", ".join(self.var(a) for a in rec["outvars"])
        parts.append(f'<div class="jxs-jaxpr-line"><b>in</b> ({outs}) }}</div></div>')
        return "".join(parts)

    def items(self, rec: dict[str, Any], items: list[Any], depth: int) -> str:
        out = []
        for it in items:
            if isinstance(it, int):
                e = rec["eqns"][it]
                out.append(self.row(e, depth) if self.compact else self.eqn(e, depth))
            else:
                out.append(self.group(rec, it, depth))
        return "".join(out)

    def group(self, rec: dict[str, Any], g: dict[str, Any], depth: int) -> str:
        """A folded group: label, equation count, shapes in and out, flops; then its items."""
        n = g["n"]
        info = (
            f"{n} equation{'s' if n != 1 else ''} · {shapes_text(g['ins'])} → "
            f"{shapes_text(g['outs'])} · {flops_text(g['flops'])}"
        )
        opened = not self.compact and rec["n"] <= GROUPS_OPEN_EQNS
        self.last_src = ""
        body = self.items(rec, g["items"], depth)
        self.last_src = ""
        summary = f'<code>{esc(g["label"])}</code> <span class="jxs-muted">{esc(info)}</span>'
        body = f'<div class="jxs-jaxpr-eqns">{body}</div>'
        return self.folded("jxs-jaxpr-group", opened, summary, body)

    def folded(self, cls: str, opened: bool, summary: str, body: str) -> str:
        """A ``details`` element; in lazy mode a folded one's body goes to :attr:`chunks`."""
        lazy = ""
        if self.lazy and not opened:
            lazy = f' data-chunk="{len(self.chunks)}"'
            self.chunks.append(body)
            body = ""
        return (
            f'<details class="{cls}"{" open" if opened else ""}{lazy}><summary>{summary}'
            f"</summary>{body}</details>"
        )

    def row(self, e: dict[str, Any], depth: int) -> str:
        """A compact equation row, preceded by its source line when that changes."""
        src = e.get("source", "")
        head = ""
        if src and src != self.last_src:
            head = f"<small>{esc(src)}  {esc(e.get('code', ''))}</small>"
        self.last_src = src
        lhs = " ".join(self.var(v, True) for v in e["outvars"])
        args = " ".join(self.var(a) for a in e["invars"])
        params = " ".join(f"{k}={v}" for k, v in e["params"])
        prim = f"<em>{esc(e['primitive'])}</em>" + (f"[{esc(params)}]" if params else "")
        line = f"<div>{lhs}{' = ' if lhs else ''}{prim} {args}</div>"
        return head + line + self.subs(e, depth)

    def eqn(self, e: dict[str, Any], depth: int) -> str:
        src = e.get("source", "")
        code = e.get("code", "")
        title = f"source: {src}" if src else "source: unknown"
        if code:
            title += f"\n{code}"
        lhs = " ".join(self.var(v, True) for v in e["outvars"])
        args = " ".join(self.var(a) for a in e["invars"])
        params = " ".join(
            f'<span class="jxs-jaxpr-param">{esc(k)}={esc(v)}</span>' for k, v in e["params"]
        )
        prim = f'<span class="jxs-jaxpr-prim">{esc(e["primitive"])}</span>'
        if params:
            prim += f'<span class="jxs-jaxpr-params">[{params}]</span>'
        line = (
            f'<div class="jxs-jaxpr-line jxs-jaxpr-row" data-eqn="{e["eid"]}" '
            f'data-src="{esc(src)}" title="{esc(title)}"><span class="jxs-jaxpr-code">'
            f"{lhs}{' = ' if lhs else ''}{prim} {args}</span>"
            f'<span class="jxs-jaxpr-src">{esc(src)}</span></div>'
        )
        return f'<div class="jxs-jaxpr-eqn">{line}{self.subs(e, depth)}</div>'

    def subs(self, e: dict[str, Any], depth: int) -> str:
        parts = []
        for sub in e["subs"]:
            if "elided" in sub:
                parts.append(
                    f'<div class="jxs-jaxpr-note">{esc(sub["label"])}: {sub["elided"]} equations '
                    f"not expanded</div>"
                )
                continue
            n = sub["n"]
            saved = self.last_src
            summary = (
                f"<code>{esc(sub['label'])}</code> "
                f'<span class="jxs-muted">{n} equation{"s" if n != 1 else ""}</span>'
            )
            opened = depth == 0 and not self.compact
            parts.append(self.folded("jxs-jaxpr-sub", opened, summary, self.block(sub, depth + 1)))
            self.last_src = saved
        return "".join(parts)


def graph_svg(graph: dict[str, Any]) -> str:
    """The dataflow graph as inline SVG (deterministic, themed by CSS classes)."""
    nodes, h = graph["nodes"], graph["node_h"]
    parts = [
        f'<svg class="jxs-jaxpr-graph" xmlns="http://www.w3.org/2000/svg" '
        f'width="{graph["width"]}" height="{graph["height"]}" '
        f'viewBox="0 0 {graph["width"]} {graph["height"]}" role="img" '
        f'aria-label="dataflow graph">'
    ]
    for ed in graph["edges"]:
        s, d = nodes[ed["src"]], nodes[ed["dst"]]
        x1, y1 = s["x"] + s["w"] // 2, s["y"] + h
        x2, y2 = d["x"] + d["w"] // 2, d["y"]
        my = (y1 + y2) // 2
        parts.append(
            f'<path class="jxs-jaxpr-gedge" data-var="{ed["var"]}" '
            f'd="M{x1},{y1} C{x1},{my} {x2},{my} {x2},{y2}">'
            f"<title>{esc(ed['name'])}:{esc(ed['aval'])}</title></path>"
        )
    for n in nodes:
        extra = f' data-eqn="{n["eid"]}"' if "eid" in n else ""
        title = f"<title>{esc(n['title'])}</title>" if n["title"] else ""
        parts.append(
            f'<g class="jxs-jaxpr-gnode jxs-jaxpr-g{n["kind"]}"{extra}>{title}'
            f'<rect x="{n["x"]}" y="{n["y"]}" width="{n["w"]}" height="{h}" rx="5"/>'
            f'<text x="{n["x"] + n["w"] // 2}" y="{n["y"] + h // 2 + 4}" '
            f'text-anchor="middle">{esc(n["label"])}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


class JaxprView(View):
    """The jaxpr of a function: equations, folded sub-jaxprs, sources, counts, dataflow graph."""

    kind = "jaxpr"
    styles = ("jaxpr",)
    esm = "jaxpr.js"

    def text(self) -> str:
        d = self.data
        lines = jaxpr_text(d["jaxpr"])
        lines.append(counts_summary(d))
        return "\n".join(lines)

    def signature(self) -> str:
        d = self.data
        top = d["jaxpr"]
        ins = ", ".join(f"{v.get('arg', v['name'])}: {v['aval']}" for v in top["invars"])
        outs = ", ".join(a["aval"] for a in top["outvars"])
        comma = "," if len(top["outvars"]) == 1 else ""
        return f"{d.get('name') or 'jaxpr'}({ins}) -> ({outs}{comma})"

    def html_body(self) -> str:
        return self._page(_Html(compact=self.data["n_eqns"] > RICH_EQN_LIMIT))

    def _lazy(self) -> tuple[str, list[str]]:
        """The widget's HTML with folded group bodies left out, and those bodies."""
        if self.data["n_eqns"] <= LAZY_EQN_LIMIT:
            return self.html(), []
        cached = getattr(self, "_lazy_parts", None)
        if cached is None:
            renderer = _Html(compact=True, lazy=True)
            body = self._page(renderer)
            page = f'<div class="jxs jxs-{self.kind}"><style>{stylesheet()}</style>{body}</div>'
            cached = self._lazy_parts = (page, renderer.chunks)
        return cached

    def widget_html(self) -> str:
        return self._lazy()[0]

    def widget_data(self) -> dict[str, Any]:
        chunks = self._lazy()[1]
        return {"chunks": chunks} if chunks else {}

    def _page(self, renderer: _Html) -> str:
        d = self.data
        top = d["jaxpr"]
        body = renderer.block(top, 0)
        n = d["n_eqns"]
        badges = [
            f"{n} equation{'s' if n != 1 else ''}",
            f"{d['n_top_eqns']} at top level",
            f"{len(d['counts'])} distinct primitive{'s' if len(d['counts']) != 1 else ''}",
            f"{d['n_subs']} sub-jaxpr{'s' if d['n_subs'] != 1 else ''}",
        ]
        if top["constvars"]:
            badges.append(f"{len(top['constvars'])} constant(s)")
        if top["effects"]:
            badges.append("effects: " + ", ".join(top["effects"]))
        if top["flops"]:
            badges.append(f"≈{flops_text(top['flops'])} (estimate)")
        parts = [
            '<div class="jxs-jaxpr-header"><div class="jxs-head">jaxpr of '
            f"<code>{esc(self.signature())}</code></div>",
            "".join(f'<span class="jxs-badge">{esc(b)}</span>' for b in badges),
            "</div>",
        ]
        compact = " jxs-jaxpr-compact" if renderer.compact else ""
        parts.append(f'<div class="jxs-jaxpr-code-block jxs-mono{compact}">{body}</div>')
        rows = "".join(
            f'<tr><td><code>{esc(p)}</code></td><td class="jxs-num">{c}</td></tr>'
            for p, c in d["counts"]
        )
        parts.append(
            '<details class="jxs-jaxpr-counts" open><summary>Primitive counts</summary>'
            '<table class="jxs-table"><tr><th>primitive</th><th>count</th></tr>'
            f'{rows}<tr><th>total</th><th class="jxs-num">{n}</th></tr></table></details>'
        )
        if "graph" in d:
            parts.append(
                '<details class="jxs-jaxpr-graphbox" open><summary>Dataflow graph '
                '<span class="jxs-muted">(top level: inputs, equations, outputs; edges are '
                "variables)</span></summary>"
                f'<div class="jxs-jaxpr-graphwrap">{graph_svg(d["graph"])}</div></details>'
            )
        else:
            parts.append(
                f'<div class="jxs-jaxpr-note">Dataflow graph omitted: {d["n_top_eqns"]} top-level '
                f"equations (drawn up to {GRAPH_EQN_LIMIT}, beyond that it is unreadable).</div>"
            )
        legend = "".join(f"<li><code>{esc(k)}</code> {esc(v)}</li>" for k, v in LEGEND)
        parts.append(
            '<details class="jxs-jaxpr-legend"><summary>How to read this</summary>'
            f"<ul>{legend}<li>Hover an equation for its source line; click a variable to "
            "highlight where it is defined and used.</li></ul></details>"
        )
        parts.append('<div class="jxs-jaxpr-status jxs-muted" aria-live="polite"></div>')
        return "".join(parts)
