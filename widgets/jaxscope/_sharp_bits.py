"""The sharp-bit detector of ``js.trace``: notes, at the line, for what JAX does silently.

JAX raises nothing for these, but the compiled function does not do what the Python reads as:

- ``print``: Python side effects run once, while tracing (``print`` shows tracers);
- ``side-effect``: a global or closed-over list, dict, object or variable written while tracing;
- ``out-of-bounds``: a static index past the end (clamped when read, dropped when written);
- ``constant``: a global or closed-over array or number, baked into the trace as a constant;
- ``iterator``: a global or closed-over iterator or generator, consumed while tracing;
- ``unrolled``: a Python loop that ran while tracing, repeating its equations;
- ``static``: a static number that only changes constants, so each new value recompiles.

Each note is a dict ``{kind, line, text, fix, concept}``. The detector reads the jaxpr, the
function's code and what the trace changed; it reports only what it can show happened.
"""

from __future__ import annotations

import ast
import collections.abc
import contextlib
import dis
import io
import sys
import types
from typing import Any

UNROLLED_EQNS = 50  # a Python loop that put at least this many equations into the trace
_STORE_METHODS = {"append", "extend", "insert", "add", "update", "setdefault", "pop", "clear"}
_MUTABLE = (list, dict, set, bytearray)


# --------------------------------------------------------------------------------------------
# what the trace changed: free variables before and after, and what was printed
# --------------------------------------------------------------------------------------------
def _codes(code: Any) -> list[Any]:
    """``code`` and every code object nested in it (lambdas, inner functions, comprehensions)."""
    out, stack = [], [code]
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return out


def free_reads(fn: Any, code: Any) -> list[tuple[str, int, Any]]:
    """``(name, line, value)`` for each global or closed-over variable ``code`` reads (first read
    of each), modules, classes and functions excepted."""
    from ._explain import code_of

    target = fn
    for _ in range(20):  # find the function object behind jit / partial wrappers
        if getattr(target, "__code__", None) is code:
            break
        target = getattr(target, "__wrapped__", None) or getattr(target, "func", None)
        if target is None:
            break
    glb = getattr(target, "__globals__", {}) if target is not None else {}
    cells = dict(zip(code.co_freevars, getattr(target, "__closure__", None) or (), strict=False))
    if code_of(target) is not code:
        return []
    seen: dict[str, tuple[str, int, Any]] = {}
    for c in _codes(code):
        for ins in dis.get_instructions(c):
            name = ins.argval if isinstance(ins.argval, str) else None
            if name is None or name in seen:
                continue
            line = ins.positions.lineno if ins.positions else None
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and name in glb:
                value = glb[name]
            elif ins.opname == "LOAD_DEREF" and c is code and name in cells:
                try:
                    value = cells[name].cell_contents
                except ValueError:  # an empty cell
                    continue
            else:
                continue
            if isinstance(value, (types.ModuleType, type)) or callable(value):
                continue
            seen[name] = (name, line or 0, value)
    return sorted(seen.values(), key=lambda r: (r[1], r[0]))


def _state(value: Any) -> Any:
    """What a write while tracing would change in ``value``, comparable before and after; None
    for values that cannot be written in place."""
    if type(value).__module__ == "numpy" and type(value).__name__ == "ndarray":
        # a host buffer written in place (`LOG[step] = 1.0`); its bytes, if it is not huge
        return ("ndarray", value.tobytes()) if value.nbytes <= 1 << 20 else None
    if isinstance(value, dict):
        return ("dict", tuple((repr(k), id(v)) for k, v in value.items()))
    if isinstance(value, _MUTABLE):
        return (type(value).__name__, tuple(sorted(id(v) for v in value)))
    attrs = getattr(value, "__dict__", None)
    if isinstance(attrs, dict):  # an object: its attributes (`tracker.steps += 1`)
        return ("attrs", tuple((k, id(v)) for k, v in attrs.items()))
    return None


class _Tee(io.TextIOBase):
    """Passes writes through to ``out`` and remembers that something was written."""

    def __init__(self, out: Any):
        self.out = out
        self.written = False

    def write(self, text: str) -> int:
        if text:
            self.written = True
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


class Watch:
    """Around a trace: which free variables of ``code`` changed, and whether anything printed."""

    def __init__(self, fn: Any, code: Any):
        self.fn, self.code = fn, code
        self.printed = False
        self.changed: list[str] = []
        self.rebound: list[str] = []
        self._before: dict[str, tuple[int, Any]] = {}
        self._tee: _Tee | None = None
        self._stack = contextlib.ExitStack()

    def _snapshot(self) -> dict[str, tuple[int, Any]]:
        out = {}
        if self.code is None:
            return out
        for name, _, value in free_reads(self.fn, self.code):
            out[name] = (id(value), _state(value))
        for name in self._written_globals():
            glb = getattr(_function(self.fn, self.code), "__globals__", {})
            out.setdefault(name, (id(glb.get(name, _MISSING)), _state(glb.get(name))))
        return out

    def _written_globals(self) -> set[str]:
        return {
            ins.argval
            for c in _codes(self.code)
            for ins in dis.get_instructions(c)
            if ins.opname == "STORE_GLOBAL"
        }

    def __enter__(self) -> Watch:
        try:
            self._before = self._snapshot()
        except Exception:  # noqa: BLE001 - watching must never break the trace
            self._before = {}
        if self.code is not None:
            self._tee = _Tee(sys.stdout)
            self._stack.enter_context(contextlib.redirect_stdout(self._tee))
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.close()
        self.printed = bool(self._tee and self._tee.written)
        try:
            after = self._snapshot()
        except Exception:  # noqa: BLE001
            return
        for name, (ident, state) in after.items():
            old = self._before.get(name)
            if old is None:
                continue
            if old[0] != ident:
                self.rebound.append(name)
            elif old[1] != state:
                self.changed.append(name)


_MISSING = object()


def _function(fn: Any, code: Any) -> Any:
    for _ in range(20):
        if fn is None or getattr(fn, "__code__", None) is code:
            return fn
        fn = getattr(fn, "__wrapped__", None) or getattr(fn, "func", None)
    return None


# --------------------------------------------------------------------------------------------
# the notes
# --------------------------------------------------------------------------------------------
def _note(kind: str, line: int | None, text: str, fix: str, concept: str) -> dict[str, Any]:
    return {"kind": kind, "line": line, "text": text, "fix": fix, "concept": concept}


def _tree(src: tuple[list[str], int] | None) -> tuple[ast.AST | None, int]:
    if src is None:
        return None, 0
    try:
        return ast.parse("\n".join(src[0])), src[1] - 1
    except SyntaxError:
        return None, 0


def _print_notes(tree: ast.AST | None, offset: int) -> list[dict[str, Any]]:
    if tree is None:
        return []
    lines = sorted(
        {
            node.lineno + offset
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "print"
        }
    )
    return [
        _note(
            "print",
            line,
            "print runs only while JAX traces the function: once per compilation, showing "
            "tracers instead of values, and never again when the compiled function runs.",
            "Use jax.debug.print('x = {x}', x=x) to print values each time it runs.",
            "trace-time-side-effects",
        )
        for line in lines
    ]


def _store_lines(tree: ast.AST | None, offset: int, name: str) -> list[int]:
    """Lines that write to ``name``: a call of a mutating method, an item or attribute store,
    an assignment (``global``)."""
    if tree is None:
        return []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            base = node.func.value
            if isinstance(base, ast.Name) and base.id == name and node.func.attr in _STORE_METHODS:
                found.add(node.lineno)
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for t in targets:
            base = t.value if isinstance(t, (ast.Subscript, ast.Attribute)) else t
            if isinstance(base, ast.Name) and base.id == name:
                found.add(t.lineno)
    return sorted(n + offset for n in found)


def _side_effect_notes(watch: Watch, tree: ast.AST | None, offset: int) -> list[dict]:
    notes = []
    for name in sorted(set(watch.changed) | set(watch.rebound)):
        how = "was rebound" if name in watch.rebound else "changed"
        for line in _store_lines(tree, offset, name)[:1]:
            notes.append(
                _note(
                    "side-effect",
                    line,
                    f"`{name}` {how} while JAX traced the function: a Python side effect runs "
                    "once per trace, not each time the compiled function is called.",
                    "Return the value instead (keep the function pure), or use "
                    "jax.debug.callback for a side effect on every call.",
                    "trace-time-side-effects",
                )
            )
    return notes


def _free_value_notes(fn: Any, code: Any, changed: set[str]) -> list[dict]:
    """Globals and closed-over values read while tracing: arrays and numbers baked in as
    constants, iterators consumed; ``changed`` ones were written (a side effect instead)."""
    import jax
    import numpy as np

    notes = []
    written = changed | {  # a variable the function writes is a side effect, not a constant
        ins.argval
        for c in _codes(code)
        for ins in dis.get_instructions(c)
        if ins.opname in ("STORE_GLOBAL", "STORE_DEREF")
    }
    for name, line, value in free_reads(fn, code):
        if name in written:
            continue
        for attr, attr_line in _attributes_read(code, name):
            held = getattr(value, attr, None) if hasattr(value, "__dict__") else None
            if isinstance(held, (jax.Array, np.ndarray)) and not isinstance(value, np.ndarray):
                what = f"array {held.dtype}{list(held.shape)}"
                notes.append(_constant_note(f"{name}.{attr}", what, attr_line or line, "an object"))
        if isinstance(value, collections.abc.Iterator):
            notes.append(
                _note(
                    "iterator",
                    line,
                    f"`{name}` is an iterator (or generator) consumed while tracing: the "
                    "values drawn then are baked into the compiled function, and later calls "
                    "neither advance it nor see new values.",
                    "Pass the values in as an array argument (one per call, or all of them to "
                    "lax.scan as xs) instead of drawing them inside the function.",
                    "trace-time-side-effects",
                )
            )
        elif isinstance(value, (jax.Array, np.ndarray)) or (
            isinstance(value, (int, float, complex, np.generic)) and not isinstance(value, bool)
        ):
            what = (
                f"array {value.dtype}{list(value.shape)}"
                if hasattr(value, "shape")
                else f"{type(value).__name__} {value!r}"
            )
            notes.append(_constant_note(name, what, line))
    return notes


def _constant_note(name: str, what: str, line: int | None, held_by: str = "") -> dict:
    """A value read from outside the traced function (``held_by`` an object, say) and baked into
    the trace as a constant."""
    where = f"from {held_by} outside the function" if held_by else "from outside the function"
    return _note(
        "constant",
        line,
        f"`{name}` ({what}) is read {where}: JAX bakes its current value into the trace as a "
        "constant, so a later change to it is not seen by the compiled function.",
        f"Pass {name} (or the whole object, as a pytree) as an argument."
        if held_by
        else f"Pass {name} as an argument (traced, so new values are used without recompiling).",
        "closed-over-constants",
    )


def _attributes_read(code: Any, name: str) -> list[tuple[str, int]]:
    """``(attribute, line)`` for each ``name.attribute`` that ``code`` reads, first reads."""
    loads = ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF")
    found: dict[str, int] = {}
    for c in _codes(code):
        ins = list(dis.get_instructions(c))
        for a, b in zip(ins, ins[1:], strict=False):
            if a.opname in loads and a.argval == name and b.opname == "LOAD_ATTR":
                found.setdefault(b.argval, b.positions.lineno if b.positions else 0)
    return list(found.items())


def _loops(tree: ast.AST | None, offset: int) -> list[tuple[int, int]]:
    """(first, last) line of each outermost Python loop or comprehension."""
    if tree is None:
        return []
    kinds = (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    spans: list[tuple[int, int]] = []

    def visit(node: ast.AST, inside: bool) -> None:
        is_loop = isinstance(node, kinds)
        if is_loop and not inside:
            spans.append((node.lineno + offset, (node.end_lineno or node.lineno) + offset))
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.Lambda, ast.AsyncFunctionDef)):
                visit(child, inside or is_loop)

    for top in ast.walk(tree):
        if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for stmt in top.body:
                visit(stmt, False)
            break
    return spans


def _period(prims: list[str]) -> int:
    for p in range(1, len(prims) + 1):
        if len(prims) % p == 0 and prims == prims[:p] * (len(prims) // p):
            return p
    return len(prims)


def _unrolled_notes(tree: ast.AST | None, offset: int, per_line: dict) -> list[dict]:
    notes = []
    for first, last in _loops(tree, offset):
        counts = {n: per_line[n] for n in range(first, last + 1) if per_line.get(n)}
        total = sum(len(v) for v in counts.values())
        if total < UNROLLED_EQNS:
            continue
        times = max(len(v) // _period([e["prim"] for e in v]) for v in counts.values())
        notes.append(
            _note(
                "unrolled",
                first,
                f"This Python loop ran while tracing and was unrolled: about {times} passes put "
                f"{total} equations into the trace, and compile time grows with each.",
                "Keep the loop inside the trace with lax.fori_loop(0, n, body, init) or "
                "lax.scan(step, init, xs): one body, compiled once.",
                "loops-compile-time",
            )
        )
    return notes


# --- out-of-bounds static indices: fold the index arithmetic of the jaxpr ------------------------
def _fold(eqn: Any, vals: list[Any]) -> Any:
    """The value of a small index-arithmetic equation on known inputs, or None."""
    import numpy as np

    p, prm = eqn.primitive.name, eqn.params
    binary = {
        "add": np.add,
        "sub": np.subtract,
        "mul": np.multiply,
        "lt": np.less,
        "le": np.less_equal,
        "gt": np.greater,
        "ge": np.greater_equal,
        "eq": np.equal,
        "ne": np.not_equal,
        "max": np.maximum,
        "min": np.minimum,
        "and": np.logical_and,
        "or": np.logical_or,
        "rem": np.fmod,
    }
    if p in binary:
        return binary[p](vals[0], vals[1])
    if p == "neg":
        return -vals[0]
    if p == "not":
        return np.logical_not(vals[0])
    if p == "convert_element_type":
        return np.asarray(vals[0]).astype(prm["new_dtype"])
    if p == "select_n":
        which = np.asarray(vals[0]).astype(int)
        return np.choose(which, np.broadcast_arrays(*vals[1:]))
    if p == "broadcast_in_dim":
        shape, dims = prm["shape"], prm["broadcast_dimensions"]
        arr = np.asarray(vals[0])
        expanded = arr.reshape(
            [arr.shape[dims.index(i)] if i in dims else 1 for i in range(len(shape))]
        )
        return np.broadcast_to(expanded, shape)
    if p == "reshape":
        return np.reshape(vals[0], prm["new_sizes"])
    if p == "squeeze":
        return np.squeeze(vals[0], axis=tuple(prm["dimensions"]))
    if p == "concatenate":
        return np.concatenate([np.atleast_1d(v) for v in vals], axis=prm["dimension"])
    if p == "iota":
        return np.broadcast_to(
            np.arange(prm["shape"][prm["dimension"]]).reshape(
                [-1 if i == prm["dimension"] else 1 for i in range(len(prm["shape"]))]
            ),
            prm["shape"],
        )
    return None


def _oob(eqn: Any, vals: list[Any]) -> str:
    """A sentence when a gather, scatter or dynamic slice has known indices out of bounds."""
    import numpy as np

    p, prm = eqn.primitive.name, eqn.params
    shape = tuple(eqn.invars[0].aval.shape)
    if p in ("dynamic_slice", "dynamic_update_slice"):
        k = 1 if p == "dynamic_slice" else 2
        starts = vals[k:]
        if len(starts) != len(shape) or any(s is None for s in starts):
            return ""
        sizes = prm["slice_sizes"] if k == 1 else tuple(eqn.invars[1].aval.shape)
        for axis, (s, size, dim) in enumerate(zip(starts, sizes, shape, strict=False)):
            s = int(np.asarray(s))
            if s < 0 or s + size > dim:
                act = "reads" if k == 1 else "writes"
                return (
                    f"index {s} (size {size}) is out of bounds for axis {axis} of size {dim}: "
                    f"JAX clamps the start to {min(max(s, 0), dim - size)} and {act} there "
                    "instead, without an error."
                )
        return ""
    if p == "gather" or p.startswith("scatter"):
        idx = vals[1]
        if idx is None:
            return ""
        idx = np.asarray(idx)
        dn = prm["dimension_numbers"]
        if p == "gather":
            dims, window = dn.start_index_map, dict(enumerate(prm["slice_sizes"]))
        else:
            dims = dn.scatter_dims_to_operand_dims
            upd = tuple(eqn.invars[2].aval.shape)
            kept = [
                d
                for d in range(len(shape))
                if d not in dn.inserted_window_dims and d not in dn.operand_batching_dims
            ]
            window = {d: 1 for d in range(len(shape))}
            for d, u in zip(kept, dn.update_window_dims, strict=False):
                window[d] = upd[u]
        if idx.ndim == 0:
            return ""
        mode = str(prm.get("mode", ""))
        for k, d in enumerate(dims):
            col = idx[..., k] if idx.shape[-1] == len(dims) else idx
            bad = col[(col < 0) | (col > shape[d] - window.get(d, 1))]
            if bad.size:
                if p == "gather":
                    what = "filled with a fill value" if "FILL" in mode else "clamped to the edge"
                    return (
                        f"index {int(bad.flat[0])} is out of bounds for axis {d} of size "
                        f"{shape[d]}: the read is {what}, without an error."
                    )
                what = "dropped (the write does nothing)" if "FILL" in mode else "clamped"
                return (
                    f"index {int(bad.flat[0])} is out of bounds for axis {d} of size "
                    f"{shape[d]}: the update is {what}, without an error."
                )
    return ""


def _oob_notes(closed: Any, loc: Any) -> list[dict]:
    from jax.extend.core import Literal, jaxprs_in_params

    notes = []

    def walk(j: Any, known: dict, line: int | None = None) -> None:
        """``line``: the learner's line of the nested jit being walked (its equations were
        traced inside JAX's own function and carry no line of the learner's)."""
        for eqn in j.eqns:
            vals = [v.val if isinstance(v, Literal) else known.get(v) for v in eqn.invars]
            name = eqn.primitive.name
            if name in ("dynamic_slice", "dynamic_update_slice", "gather") or name.startswith(
                "scatter"
            ):
                try:
                    text = _oob(eqn, vals)
                except Exception:  # noqa: BLE001 - unusual parameters: no note
                    text = ""
                if text:
                    notes.append(
                        _note(
                            "out-of-bounds",
                            loc.line_of_eqn(eqn) or line,
                            "This index is fixed at trace time and " + text,
                            "Check the index against x.shape; to choose the behaviour, use "
                            "x.at[i].get(mode='fill', fill_value=...) or .set(..., mode='drop' "
                            "/ 'clip') explicitly.",
                            "out-of-bounds",
                        )
                    )
            elif all(v is not None for v in vals) and len(eqn.outvars) == 1:
                if all(getattr(v, "size", 1) <= 4096 for v in vals):
                    try:
                        out = _fold(eqn, vals)
                    except Exception:  # noqa: BLE001
                        out = None
                    if out is not None:
                        known[eqn.outvars[0]] = out
            inner = eqn.params.get("jaxpr") if name in ("pjit", "jit") else None
            if inner is not None:  # a nested jit (jnp.take is one): its inputs are known too
                seen = {
                    v: x for v, x in zip(inner.jaxpr.invars, vals, strict=False) if x is not None
                }
                inside = {**known_consts(inner), **seen}
                walk(inner.jaxpr, inside, loc.line_of_eqn(eqn) or line)
                for out, res in zip(eqn.outvars, inner.jaxpr.outvars, strict=False):
                    value = res.val if isinstance(res, Literal) else inside.get(res)
                    if value is not None:
                        known[out] = value  # what the nested jit computed from known inputs
                continue
            for sub in jaxprs_in_params(eqn.params):
                walk(sub, {}, loc.line_of_eqn(eqn) or line)

    import jax
    import numpy as np

    def known_consts(c: Any) -> dict:
        """The small index arrays a jaxpr closes over (written in the function: NumPy or jnp)."""
        out = {}
        for v, x in zip(c.jaxpr.constvars, c.consts, strict=False):
            if isinstance(x, np.ndarray | np.generic | jax.Array) and np.size(x) <= 4096:
                out[v] = np.asarray(x)
        return out

    walk(closed.jaxpr, known_consts(closed))
    return notes


# --- a static number that only changes constants -----------------------------------------------
def _all_eqns(jaxpr: Any) -> list[Any]:
    from jax.extend.core import jaxprs_in_params

    out = []
    for eqn in getattr(jaxpr, "jaxpr", jaxpr).eqns:
        out.append(eqn)
        for sub in jaxprs_in_params(eqn.params):
            out.extend(_all_eqns(sub))
    return out


def _structure(closed: Any) -> list[tuple[str, str, str]]:
    return [
        (e.primitive.name, str(e.params), str([v.aval for v in e.outvars]))
        for e in _all_eqns(closed)
    ]


def _only_sizes_differ(
    base: list[tuple[str, str, str]], other: list[tuple[str, str, str]], same_result: bool
) -> bool:
    """Whether two traces' :func:`_structure` run the same primitives, to results of the same
    types (``same_result``), and differ only in the shapes of values in between (a static
    size that a mask could replace)."""
    names = [prim for prim, _, _ in base] == [prim for prim, _, _ in other]
    return names and same_result and [a for *_, a in base] != [a for *_, a in other]


def _first_use(src: tuple[list[str], int] | None, name: str) -> int | None:
    import re

    if src is None:
        return None
    lines, start = src
    body = 1
    for i, text in enumerate(lines):  # skip decorators and the signature: the body comes after
        if text.lstrip().startswith(("def ", "async def ")):
            body = next(
                (
                    j + 1
                    for j in range(i, len(lines))
                    if lines[j].split("#")[0].rstrip().endswith(":")
                ),
                i + 1,
            )
            break
    for n, text in enumerate(lines[body:], start=start + body):
        if re.search(rf"\b{re.escape(name)}\b", text):
            return n
    return start


def static_notes(
    statics: list[tuple[str, Any]],
    retrace: Any,
    closed: Any,
    src: tuple[list[str], int] | None,
) -> list[dict]:
    """Notes for static numbers whose value only changes constants of the trace: ``retrace(name,
    value)`` traces again with that argument changed (``None`` when it fails)."""
    notes = []
    base = _structure(closed)
    for name, value in statics:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        other = retrace(name, value + 1 if isinstance(value, int) else value * 2 + 1)
        shape = _structure(other) if other is not None else None
        resized = shape is not None and _only_sizes_differ(
            base, shape, closed.out_avals == other.out_avals
        )
        if isinstance(value, int) and resized:
            notes.append(
                _note(
                    "static",
                    _first_use(src, name),
                    f"`{name}` is static and sets only the size of intermediate values: the "
                    "result has the same shape for every value, yet each new value traces and "
                    "compiles again.",
                    f"Pass {name} traced and mask instead of slicing: keep the full array and "
                    f"use jnp.where(jnp.arange(x.shape[0]) < {name}, x, 0) (then divide a sum "
                    f"by {name}); one compiled program serves every value.",
                    "retracing",
                )
            )
            continue
        if shape is None or shape != base or str(other.jaxpr) == str(closed.jaxpr):
            continue
        notes.append(
            _note(
                "static",
                _first_use(src, name),
                f"`{name}` is static, but its value only changes constants in the trace: each "
                "new value traces and compiles the same program again.",
                f"Pass {name} traced (remove it from static_argnums / static_argnames); keep "
                "static only what decides shapes or Python control flow.",
                "retracing",
            )
        )
    return notes


_KEY_CONSUMERS = ("random_bits", "random_split", "random_fold_in")


def _consumes_key(eqn: Any) -> bool:
    from jax.extend.core import jaxprs_in_params

    if eqn.primitive.name in _KEY_CONSUMERS:
        return True
    return any(
        e.primitive.name in _KEY_CONSUMERS
        for sub in jaxprs_in_params(eqn.params)
        for e in _all_eqns(sub)
    )


def reused_key_line(closed: Any, loc: Any) -> int | None:
    """The line of the first equation that consumes a PRNG key an earlier one consumed (what
    JAX's key-reuse checker rejects), in the trace made with the checker off."""
    import jax

    used: set[Any] = set()
    for eqn in closed.jaxpr.eqns:
        keys = [
            v
            for v in eqn.invars
            if hasattr(v, "aval")
            and not hasattr(v, "val")
            and jax.dtypes.issubdtype(getattr(v.aval, "dtype", None), jax.dtypes.prng_key)
        ]
        if not _consumes_key(eqn):
            continue
        for v in keys:
            if v in used:
                return loc.line_of_eqn(eqn)
            used.add(v)
    # no key consumed twice in a row: a loop whose body consumes a key it is given every
    # iteration (a key closed over by a scan or while body, not split per step)
    for eqn in closed.jaxpr.eqns:
        dtypes = [getattr(getattr(v, "aval", None), "dtype", None) for v in eqn.invars]
        if eqn.primitive.name in ("scan", "while") and any(
            jax.dtypes.issubdtype(d, jax.dtypes.prng_key) for d in dtypes
        ):
            return loc.line_of_eqn(eqn)
    return None


def notes(
    fn: Any,
    code: Any,
    closed: Any,
    loc: Any,
    src: tuple[list[str], int] | None,
    per_line: dict,
    watch: Watch,
) -> list[dict[str, Any]]:
    """Every sharp-bit note for a successful trace of ``fn``, sorted by line."""
    tree, offset = _tree(src)
    found: list[dict[str, Any]] = []
    if watch.printed:
        found += _print_notes(tree, offset)
    found += _side_effect_notes(watch, tree, offset)
    if code is not None:
        found += _free_value_notes(fn, code, changed=set(watch.changed))
    found += _oob_notes(closed, loc)
    found += _unrolled_notes(tree, offset, per_line)
    return sorted(found, key=lambda n: (n["line"] or 0, n["kind"]))
