"""``js.transforms(fn, *args, chain=...)``: compose transformations and see what each one does.

The chain is applied left to right: ``chain=("grad", "jit")`` builds ``grad(f)`` and then
``jit(grad(f))``. Each stage is called on the same ``args`` and records its value, output shape,
jaxpr size and primitive counts (via :func:`jaxpr_model`) and what changed from the stage before.
``vmap`` maps over axis 0 of every argument at its stage, so it needs batched inputs. A stage
that fails is explained (``grad`` of a non-scalar function teaches the fix) and the stages after
it are skipped. For a scalar function of one float scalar, an inline SVG plots f, f' and f''
around the argument. In JupyterLab the widget lets the learner add, remove and reorder
transformations; the kernel recomputes the view on each change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._errors import first_lines, fn_name, jittable, require_callable, short_repr
from ._jaxpr_view import aval_str, jaxpr_model
from ._view import View, esc

VALID = ("jit", "grad", "vmap", "jacfwd", "jacrev", "hessian", "checkpoint")
DESCRIBE = {
    "jit": "compile the whole function with XLA (same values, one fused program)",
    "grad": "derivative of a scalar-valued function w.r.t. its first argument",
    "vmap": "map over axis 0 of every argument (needs batched inputs)",
    "jacfwd": "Jacobian by forward mode (jvp per input element)",
    "jacrev": "Jacobian by reverse mode (vjp per output element)",
    "hessian": "matrix of second derivatives: jacfwd(jacrev(f))",
    "checkpoint": "rematerialise: recompute the forward pass in the backward pass",
}
PLOT_POINTS = 200
PLOT_HALF_WIDTH = 3.0
_GRAD_FIX = (
    "grad needs a function that returns one number (a scalar). Reduce the output to a scalar, "
    "e.g. lambda x: f(x).sum() (or a loss such as jnp.mean(...)), or use jax.jacrev(f) / "
    "jax.jacfwd(f) for the full Jacobian, or vmap(grad(f)) for per-element gradients of a "
    "scalar function."
)
_VMAP_FIX = (
    "vmap maps over axis 0 of the arguments, so each argument needs a leading batch axis. "
    "Pass a batched input (e.g. jnp.stack([x1, x2]) or x[None]), or leave vmap out of the chain."
)


def _transform(name: str) -> Any:
    import jax

    return {
        "jit": jax.jit,
        "grad": jax.grad,
        "vmap": jax.vmap,
        "jacfwd": jax.jacfwd,
        "jacrev": jax.jacrev,
        "hessian": jax.hessian,
        "checkpoint": jax.checkpoint,
    }[name]


def check_chain(chain: Any) -> tuple[str, ...]:
    """The chain as a tuple of names; ``TypeError``/``ValueError`` naming the fix otherwise."""
    if isinstance(chain, str):
        chain = (chain,)
    if not isinstance(chain, Sequence) or not all(isinstance(c, str) for c in chain):
        raise TypeError(
            f"chain must be a sequence of transformation names (strings), got "
            f"{short_repr(chain)}; e.g. chain=('grad', 'jit')"
        )
    for c in chain:
        if c not in VALID:
            raise ValueError(
                f"chain names an unknown transformation {c!r}; valid ones are: {', '.join(VALID)}"
            )
    return tuple(chain)


# --------------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------------
def _leaf_str(leaf: Any) -> str:
    import jax

    try:
        return aval_str(jax.typeof(leaf)).removesuffix("~weak")
    except Exception:  # noqa: BLE001
        return type(leaf).__name__


def _out_str(out: Any) -> str:
    import jax

    leaves = jax.tree.leaves(out)
    if len(leaves) == 1 and not isinstance(out, (tuple, list, dict)):
        return _leaf_str(leaves[0])
    return "(" + ", ".join(_leaf_str(leaf) for leaf in leaves) + ")"


def _value_str(out: Any) -> str:
    import jax

    parts = []
    leaves = jax.tree.leaves(out)
    for leaf in leaves[:3]:
        try:
            arr = np.asarray(leaf)
            if np.issubdtype(arr.dtype, np.inexact):
                arr = arr + arr.dtype.type(0)  # -0.0 prints as 0.0
            body = np.array2string(
                arr, precision=4, separator=", ", threshold=12, edgeitems=3, suppress_small=True
            )
        except Exception:  # noqa: BLE001
            body = _leaf_str(leaf)
        parts.append(" ".join(body.split()))
    if len(leaves) > 3:
        parts.append(f"… {len(leaves) - 3} more")
    return parts[0] if len(parts) == 1 and len(leaves) == 1 else "(" + ", ".join(parts) + ")"


def _error(exc: BaseException, fn: Any, transform: str) -> dict[str, str]:
    from ._explain import clean_message, explain, safe_str

    info = explain(exc, fn)
    message = first_lines(clean_message(safe_str(exc)), 4)
    err = {
        "type": type(exc).__name__,
        "message": message,
        "explanation": info.get("explanation", ""),
        "fix": info.get("fix", ""),
        "concept": info.get("concept", ""),
        "where": info.get("where", ""),
    }
    if "scalar-output" in message:
        err["explanation"] = (
            "grad differentiates a function that returns a single number; this stage's "
            "function returns an array, so there is no single gradient."
        )
        err["fix"], err["concept"] = _GRAD_FIX, "grad"
    elif "vmap was requested to map" in message:
        err["explanation"] = "vmap found an argument with no axis 0 to map over (a scalar)."
        err["fix"], err["concept"] = _VMAP_FIX, "vmap-basics"
    elif "grad requires real- or complex-valued inputs" in message:
        err["explanation"] = "grad differentiates with respect to floats; this input is an int."
        err["fix"] = "Pass a float (1.0, not 1, or x.astype(jnp.float32))."
        err["concept"] = "grad"
    return err


def _stage(g: Any, expr: str, name: str, fn: Any, args: tuple, kwargs: dict) -> dict[str, Any]:
    import jax

    rec: dict[str, Any] = {"expr": expr, "transform": name}
    # shape-only arguments (ShapeDtypeStruct) are never run: their stages show shapes only
    abstract = any(isinstance(a, jax.ShapeDtypeStruct) for a in jax.tree.leaves((args, kwargs)))
    try:
        closed = jax.make_jaxpr(g)(*args, **kwargs)
        if abstract:
            out = jax.eval_shape(g, *args, **kwargs)
        else:
            out = jax.block_until_ready(g(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - the stage failed: explain it
        rec["ok"] = False
        rec["error"] = _error(exc, fn, name)
        return rec
    model = jaxpr_model(closed)
    rec.update(
        ok=True,
        shape=_out_str(out),
        value="(not computed: shape-only arguments)" if abstract else _value_str(out),
        n_eqns=model["n_eqns"],
        counts=model["counts"],
    )
    return rec


def _diff(prev: dict, cur: dict) -> dict[str, Any]:
    a = dict((p, n) for p, n in prev["counts"])
    b = dict((p, n) for p, n in cur["counts"])
    return {
        "added": sorted(p for p in b if p not in a),
        "removed": sorted(p for p in a if p not in b),
        "changed": [[p, a[p], b[p]] for p in sorted(a) if p in b and a[p] != b[p]],
        "eqn_delta": cur["n_eqns"] - prev["n_eqns"],
        "shape_change": [prev["shape"], cur["shape"]] if prev["shape"] != cur["shape"] else None,
    }


def transforms_model(fn: Any, args: tuple, kwargs: dict, chain: tuple[str, ...]) -> dict:
    """Plain data: one record per stage (``f`` first, then each transformation in order)."""
    name = fn_name(fn)
    if not name.isidentifier():  # <lambda>, partial(...): call it f
        name = "f"
    stages = [_stage(fn, name, "", fn, args, kwargs)]
    g, expr = jittable(fn), name
    for t in chain:  # every stage runs: vmap(grad(f)) works where grad(f) alone fails
        expr = f"{t}({expr})"
        try:
            g = _transform(t)(g)
        except Exception as exc:  # noqa: BLE001 - e.g. a generator function: explain, stop
            stages.append({"expr": expr, "transform": t, "ok": False, "error": _error(exc, fn, t)})
            break
        rec = _stage(g, expr, t, fn, args, kwargs)
        prev = next((s for s in reversed(stages) if s.get("ok")), None)
        if rec["ok"] and prev is not None:
            rec["diff"] = _diff(prev, rec)
        stages.append(rec)
    model: dict[str, Any] = {
        "name": name,
        "chain": list(chain),
        "args": ", ".join(_leaf_str(a) for a in args),
        "stages": stages,
    }
    plot = plot_data(fn, args, kwargs, stages[0])
    if plot is not None:
        model["plot"] = plot
    return model


def plot_data(fn: Any, args: tuple, kwargs: dict, first: dict) -> dict[str, Any] | None:
    """f, f', f'' sampled on x±3 for a scalar function of one float scalar, else ``None``."""
    import jax
    import jax.numpy as jnp

    if len(args) != 1 or kwargs or not first.get("ok") or first["shape"] not in ("f32[]", "f64[]"):
        return None
    x0 = args[0]
    if isinstance(x0, (bool, jax.ShapeDtypeStruct)) or not (
        isinstance(x0, float) or (_leaf_str(x0) in ("f32[]", "f64[]"))
    ):
        return None
    x0 = float(x0)
    xs = np.linspace(x0 - PLOT_HALF_WIDTH, x0 + PLOT_HALF_WIDTH, PLOT_POINTS, dtype=np.float32)
    curves = []
    g = fn
    for label in ("f", "f′", "f″"):
        try:
            ys = np.asarray(jax.jit(jax.vmap(g))(jnp.asarray(xs)), dtype=np.float64)
        except Exception:  # noqa: BLE001 - not differentiable (or not vmappable): stop here
            break
        if ys.shape != xs.shape:
            break
        curves.append({"label": label, "ys": [_round(y) for y in ys]})
        g = jax.grad(g)
    if not curves:
        return None
    return {"x0": _round(x0), "xs": [_round(x) for x in xs], "curves": curves}


def _round(v: float) -> float | None:
    v = float(v)
    return round(v, 6) if math.isfinite(v) else None


# --------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------
def transforms(
    fn: Any, *args: Any, chain: Sequence[str] = ("grad", "jit"), **kwargs: Any
) -> TransformsView:
    """Apply ``chain`` to ``fn`` left to right and show every stage on ``fn``'s arguments.

    ``chain=("grad", "jit")`` gives the stages ``f``, ``grad(f)``, ``jit(grad(f))``. Valid names:
    jit, grad, vmap, jacfwd, jacrev, hessian, checkpoint. ``vmap`` maps over axis 0 of every
    argument at its stage. Each stage shows its value, output shape, jaxpr size, primitive counts
    and the change from the stage before; a failing stage is explained and later ones skipped.
    """
    require_callable(fn, "fn")
    names = check_chain(chain)
    return TransformsView(transforms_model(fn, args, kwargs, names), fn, args, kwargs)


# --------------------------------------------------------------------------------------------
# renderers
# --------------------------------------------------------------------------------------------
def _counts_str(counts: list) -> str:
    return " ".join(f"{p}×{n}" for p, n in counts) or "(none)"


def _diff_str(d: dict) -> str:
    parts = []
    if d["shape_change"]:
        parts.append(f"shape {d['shape_change'][0]} → {d['shape_change'][1]}")
    parts.append(f"equations {'+' if d['eqn_delta'] >= 0 else ''}{d['eqn_delta']}")
    if d["added"]:
        parts.append("added " + " ".join(d["added"]))
    if d["removed"]:
        parts.append("removed " + " ".join(d["removed"]))
    if d["changed"]:
        parts.append("count " + " ".join(f"{p} {a}→{b}" for p, a, b in d["changed"]))
    return "; ".join(parts)


def _text(model: dict) -> str:
    lines = [
        f"transforms of {model['name']}({model['args']}), chain {model['chain']} "
        "(applied left to right: the last is outermost)"
    ]
    for i, s in enumerate(model["stages"]):
        lines.append(f"[{i}] {s['expr']}")
        if s.get("skipped"):
            lines.append("    skipped: an earlier stage failed")
        elif not s["ok"]:
            e = s["error"]
            lines.append(f"    error: {e['type']}: {e['message'].splitlines()[0]}")
            if e["explanation"]:
                lines.append(f"    what happened: {e['explanation']}")
            if e["fix"]:
                lines.append(f"    fix: {e['fix']}")
        else:
            lines.append(f"    value {s['value']}")
            lines.append(
                f"    shape {s['shape']}; {s['n_eqns']} equations: {_counts_str(s['counts'])}"
            )
            if "diff" in s:
                lines.append(f"    changed: {_diff_str(s['diff'])}")
    if "plot" in model:
        labels = ", ".join(c["label"] for c in model["plot"]["curves"])
        x0 = model["plot"]["x0"]
        lines.append(f"plot: {labels} on [{x0} - 3, {x0} + 3] (see the HTML view or .plot())")
    return "\n".join(lines)


_COLORS = ("jxs-transforms-c0", "jxs-transforms-c1", "jxs-transforms-c2")


def plot_svg(plot: dict, width: int = 420, height: int = 220) -> str:
    """f, f', f'' as an inline SVG (deterministic: coordinates rounded to 0.1 px)."""
    xs = plot["xs"]
    ys_all = [y for c in plot["curves"] for y in c["ys"] if y is not None]
    if not ys_all:
        return ""
    lo, hi = float(np.percentile(ys_all, 1)), float(np.percentile(ys_all, 99))
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.05 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    m = 30
    x_lo, x_hi = xs[0], xs[-1]

    def px(x: float) -> float:
        return round(m + (x - x_lo) / (x_hi - x_lo) * (width - 2 * m), 1)

    def py(y: float) -> float:
        y = min(max(y, lo), hi)
        return round(height - m - (y - lo) / (hi - lo) * (height - 2 * m), 1)

    parts = [
        f'<svg class="jxs-transforms-plot" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="plot of f and its derivatives">'
    ]
    if lo < 0 < hi:
        parts.append(
            f'<line class="jxs-transforms-axis" x1="{m}" y1="{py(0)}" x2="{width - m}" '
            f'y2="{py(0)}"/>'
        )
    x0 = plot["x0"]
    parts.append(
        f'<line class="jxs-transforms-x0" x1="{px(x0)}" y1="{m}" x2="{px(x0)}" y2="{height - m}"/>'
    )
    for ci, c in enumerate(plot["curves"]):
        segs, cur = [], []
        for x, y in zip(xs, c["ys"], strict=True):
            if y is None:
                if cur:
                    segs.append(cur)
                cur = []
            else:
                cur.append(f"{px(x)},{py(y)}")
        if cur:
            segs.append(cur)
        for seg in segs:
            parts.append(
                f'<polyline class="jxs-transforms-curve {_COLORS[ci]}" points="{" ".join(seg)}">'
                f"<title>{esc(c['label'])}</title></polyline>"
            )
        parts.append(
            f'<text class="jxs-transforms-label {_COLORS[ci]}" x="{m + 8 + 40 * ci}" y="{m - 10}">'
            f"{esc(c['label'])}</text>"
        )
    parts.append(
        f'<text class="jxs-transforms-tick" x="{m}" y="{height - 8}">{esc(f"{x_lo:.4g}")}</text>'
        f'<text class="jxs-transforms-tick" x="{width - m}" y="{height - 8}" '
        f'text-anchor="end">{esc(f"{x_hi:.4g}")}</text>'
        f'<text class="jxs-transforms-tick" x="{px(x0)}" y="{height - 8}" '
        f'text-anchor="middle">x={esc(f"{x0:.4g}")}</text>'
        f'<text class="jxs-transforms-tick" x="2" y="{m}">{esc(f"{hi:.3g}")}</text>'
        f'<text class="jxs-transforms-tick" x="2" y="{height - m}">{esc(f"{lo:.3g}")}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _html(model: dict) -> str:
    parts = [
        '<div class="jxs-transforms-header"><div class="jxs-head">transforms of '
        f"<code>{esc(model['name'])}({esc(model['args'])})</code></div>"
        '<div class="jxs-muted">The chain is applied left to right, so the last transformation '
        "is the outermost: chain (grad, jit) gives jit(grad(f)). vmap maps over axis 0 of every "
        "argument.</div></div>",
        '<table class="jxs-table jxs-transforms-table"><tr><th>#</th><th>stage</th>'
        "<th>value</th><th>shape</th><th>equations</th><th>what changed</th></tr>",
    ]
    for i, s in enumerate(model["stages"]):
        expr = f'<td><code class="jxs-transforms-expr">{esc(s["expr"])}</code></td>'
        if s.get("skipped"):
            parts.append(
                f'<tr class="jxs-transforms-skipped"><td>{i}</td>{expr}'
                '<td colspan="4" class="jxs-muted">skipped: an earlier stage failed</td></tr>'
            )
        elif not s["ok"]:
            e = s["error"]
            detail = f"<pre>{esc(e['type'])}: {esc(e['message'])}</pre>"
            if e["explanation"]:
                detail += f"<p><b>What happened:</b> {esc(e['explanation'])}</p>"
            if e["fix"]:
                detail += f"<p><b>Fix:</b> {esc(e['fix'])}</p>"
            if e["concept"]:
                detail += f"<p><b>Cheat sheet:</b> <code>{esc(e['concept'])}</code></p>"
            parts.append(
                f'<tr class="jxs-transforms-failed"><td>{i}</td>{expr}'
                f'<td colspan="4"><div class="jxs-transforms-error">{detail}</div></td></tr>'
            )
        else:
            diff = esc(_diff_str(s["diff"])) if "diff" in s else '<span class="jxs-muted">—</span>'
            parts.append(
                f"<tr><td>{i}</td>{expr}"
                f'<td><code class="jxs-transforms-value">{esc(s["value"])}</code></td>'
                f"<td><code>{esc(s['shape'])}</code></td>"
                f'<td class="jxs-num" title="{esc(_counts_str(s["counts"]))}">{s["n_eqns"]}'
                f'<div class="jxs-transforms-counts">{esc(_counts_str(s["counts"]))}</div></td>'
                f'<td class="jxs-transforms-diff">{diff}</td></tr>'
            )
    parts.append("</table>")
    if "plot" in model:
        parts.append(
            '<div class="jxs-transforms-plotbox"><div class="jxs-muted">f and its derivatives '
            "around the argument (the dashed line)</div>"
            f"{plot_svg(model['plot'])}</div>"
        )
    return "".join(parts)


class TransformsView(View):
    """Stages of a transformation chain: value, shape, jaxpr size and diff; plots for scalars."""

    kind = "transforms"
    styles = ("transforms",)
    esm = "transforms.js"

    def __init__(self, data: dict[str, Any], fn: Any = None, args: tuple = (), kwargs=None):
        super().__init__(data)
        self._fn, self._args, self._kwargs = fn, args, dict(kwargs or {})

    def text(self) -> str:
        return _text(self.data)

    def html_body(self) -> str:
        return _html(self.data)

    def widget_data(self) -> dict[str, Any]:
        return {"valid": list(VALID), "describe": DESCRIBE, "initial": self.data["chain"]}

    def with_chain(self, chain: Sequence[str]) -> TransformsView:
        """The same function and arguments under another chain."""
        names = check_chain(chain)
        model = transforms_model(self._fn, self._args, self._kwargs, names)
        return TransformsView(model, self._fn, self._args, self._kwargs)

    live = {"chain": []}  # the browser edits the chain; the kernel recomputes every stage

    def widget_state(self) -> dict[str, Any]:
        return {"chain": list(self.data["chain"])}

    def on_widget_change(self, widget: Any, name: str, value: Any) -> None:
        try:
            widget.show(self.with_chain(list(value)))
        except (TypeError, ValueError) as exc:
            widget.selected = f"error: {exc}"

    def plot(self):
        """A matplotlib Figure of f, f', f'' (scalar functions of one float only)."""
        if "plot" not in self.data:
            raise ValueError(
                "plot() needs a scalar function of one float scalar argument, "
                "e.g. js.transforms(jnp.sin, 1.0)"
            )
        import matplotlib.pyplot as plt

        p = self.data["plot"]
        fig, ax = plt.subplots(figsize=(6, 3.5))
        xs = np.asarray(p["xs"], dtype=float)
        for c in p["curves"]:
            ys = np.asarray([np.nan if y is None else y for y in c["ys"]], dtype=float)
            ax.plot(xs, ys, label=c["label"])
        ax.axvline(p["x0"], linestyle="--", linewidth=0.8, color="grey")
        ax.axhline(0, linewidth=0.5, color="grey")
        ax.set_title(f"{self.data['name']} and its derivatives")
        ax.legend()
        plt.close(fig)
        return fig
