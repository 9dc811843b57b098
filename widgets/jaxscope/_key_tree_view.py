"""``js.key_tree(fn, *args)``: the lineage of PRNG keys through split and fold_in, reuse flagged.

The model (:func:`key_tree_model`) walks the jaxpr of ``fn`` and follows every key: typed keys
(``key<fry>`` from ``jax.random.key``) and legacy ``uint32[2]`` keys from ``PRNGKey`` (which the
jaxpr wraps with ``random_wrap``). Each key-typed value is held as an array of the single keys at
each of its positions, so reshapes, broadcasts, slices, indexing, transposes and concatenations
of key arrays keep track of which key is where. Inputs, captured keys and seeds are roots,
``random_split`` makes a group of subkeys, ``random_fold_in`` and ``random_clone`` make child
keys, and samplers (``normal``, ``uniform``, ... found as calls into ``jax.random``, or
``random_bits``) are the leaves. Every primitive that carries sub-jaxprs (``jit``, ``cond`` and
``switch`` branches, ``while`` cond and body, ``scan``, ``checkpoint``, ``custom_jvp``,
``custom_vjp``, ``shard_map``, ...) is entered. A key consumed more than once (two draws, a draw
and a split, two splits, consumed in a loop iteration after the previous one, or consumed by a
loop and again outside it) is flagged as reused, with the explanation and the fix; the branches
of one ``cond`` count as alternatives. :class:`KeyTreeView` renders the tree as an indented text
tree and as a nested HTML list.

The verdict agrees with JAX's own checker (``jax.experimental.key_reuse``, which
``jax.debug_key_reuse(True)`` turns on) wherever that checker is exact;
``tests/test_key_tree_view.py`` compares the two on generated programs. Deliberate differences,
each tested there:

- Legacy ``PRNGKey`` data: the checker sees only ``uint32`` arrays and wraps them afresh at
  every call, so it never flags them; here every wrap of the same data is the same key (also a
  ``key_data``/``wrap_key_data`` round trip). A limit: legacy data in a loop's carry is followed
  within an iteration only, while typed keys are followed from one iteration to the next.
- ``fold_in`` with data already folded into that key (the same literal, or the same traced
  value) gives the same key again: drawing from both is a reuse, as is ``fold_in(key, 1)`` inside
  a loop. The checker counts every ``fold_in`` result as fresh.
- Copies of one key made by ``broadcast_to`` are the same key: drawing from two copies is a
  reuse. The checker forwards a broadcast as one key and misses it.
- ``custom_jvp``/``custom_vjp`` functions are entered: a reuse inside is flagged, and a key
  passed in but not used is not consumed. The checker treats the call as one opaque use.
- A key picked by a traced index (``ks[i]``) or an index array (a ``gather``) is a key of its
  own (the same one for the same index), so ``ks[i]`` inside a loop over ``i`` is not flagged;
  the checker counts it as using all of ``ks``. Likewise taking
  ``ks[0]`` without drawing from it, or passing keys to ``stack``/``concatenate`` or to a
  primitive without a rule (``select_n``), uses nothing here; the checker counts each as a use.
- An empty key array (``split(key, 0)``) holds no key, so using it twice (or in a loop) is no
  reuse; the checker counts the array as used.
- A draw in a ``while_loop``'s ``cond_fun`` consumes the key passed into the loop (the first
  check runs on it) and the key the loop returns (the last check ran on it); the checker
  counts neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._binding import bind, hashable
from ._errors import error_panel, fn_name, require_callable
from ._jaxpr_view import (
    _literal_str,
    aval_str,
    source_of,
)
from ._view import View, esc

CONCEPT = "key-reuse"
EAGER_ELEMENTS = 16  # subkeys of a group shown even when unused, up to this many
_PASS_THROUGH = (
    "copy",
    "copy_p",
    "device_put",
    "optimization_barrier",
    "convert_element_type",
    "sharding_constraint",
    "reshard",
    "layout_constraint",
    "mesh_cast",
    "pvary",
)
_NOT_SAMPLERS = {
    "PRNGKey",
    "key",
    "split",
    "fold_in",
    "key_data",
    "wrap_key_data",
    "clone",
    "key_impl",
    "key_dtype",
}
_CALL_RE = re.compile(r"\b(?:random|jr|jrandom|jrand|rnd)\.(\w+)\s*\(")


@dataclass(frozen=True, eq=False)
class _Ref:
    """What a jaxpr variable holds: the single key (a node index) at each position.

    ``ids`` has the variable's shape; for raw key data (``random_unwrap``, legacy ``PRNGKey``)
    the trailing key-data dimensions repeat the key's index.
    """

    ids: np.ndarray
    raw: bool = False


def _is_key(aval: Any) -> bool:
    import jax

    dtype = getattr(aval, "dtype", None)
    try:
        return dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key)
    except Exception:  # noqa: BLE001
        return False


def _is_library(jx: Any) -> bool:
    """True for a sub-jaxpr traced from JAX's own code (a sampler's internal jit)."""
    info = getattr(getattr(jx, "jaxpr", jx), "debug_info", None)
    src = getattr(info, "func_src_info", None) or ""
    return "/jax/_src/" in src.replace("\\", "/")


def _sampler_name(internal: str, code: str) -> str:
    """The public sampler behind an internal jit name, read from the learner's line if possible."""
    base = internal.lstrip("_") or internal
    found = [m for m in _CALL_RE.findall(code or "") if m not in _NOT_SAMPLERS]
    if base in found or not found:
        return base
    return found[0] if len(found) == 1 else base


def _sub_jaxprs(eqn: Any) -> list[tuple[Any, tuple]]:
    """The ``(jaxpr, consts)`` pairs in an equation's params, in parameter order."""
    from jax.extend.core import ClosedJaxpr, Jaxpr

    found = []
    for value in eqn.params.values():
        for v in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(v, ClosedJaxpr):
                found.append((v.jaxpr, tuple(v.consts)))
            elif isinstance(v, Jaxpr):
                found.append((v, ()))
    return found


def _count(paths: list[tuple]) -> int:
    """How many of these uses can happen in one run: alternatives of a cond count once.

    Each path lists the ``(cond, branch)`` pairs a use sits in, outermost first.
    """
    plain = sum(1 for p in paths if not p)
    conds: dict[str, dict[int, list[tuple]]] = {}
    for p in paths:
        if p:
            conds.setdefault(p[0][0], {}).setdefault(p[0][1], []).append(p[1:])
    return plain + sum(max(_count(b) for b in c.values()) for c in conds.values())


class _Walker:
    """Follows key-typed variables through a jaxpr and its sub-jaxprs, building the tree."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.seq = 0
        self.wrapped: dict[Any, np.ndarray] = {}  # legacy data var -> its keys
        self.folds: dict[tuple, int] = {}  # (key node, data) -> the folded key
        self.picks: dict[tuple, np.ndarray] = {}  # (keys, traced index) -> the picked keys
        self.loop = 0  # depth of loops being walked
        self.branch: tuple = ()  # the (cond id, branch index) pairs being walked
        self.n_conds = 0
        self.input_names: dict[Any, str] = {}
        self.last = -1  # the node (or group) the latest call of keys() made
        self.canon: dict[Any, Any] = {}  # a sub-jaxpr's input var -> the outer var it receives

    def canonical(self, var: Any) -> Any:
        return self.canon.get(var, var) if hashable(var) else var

    def alias(self, inner: Any, outer: Any) -> None:
        """Remember that ``inner`` (a sub-jaxpr input) receives the untracked ``outer``."""
        if hashable(inner) and hashable(outer) and not _is_literal(outer):
            self.canon[inner] = self.canonical(outer)

    # --- nodes -----------------------------------------------------------------------------
    def node(
        self, name: str, kind: str, aval: str, parent: int | None, src: dict | None, **extra: Any
    ) -> int:
        idx = len(self.nodes)
        rec = {
            "id": f"k{idx}",
            "name": name,
            "kind": kind,
            "aval": aval,
            "parent": parent,
            "source": (src or {}).get("where", ""),
            "code": (src or {}).get("code", ""),
            "items": [],
            "uses": [],
            "depth": self.loop,
            "branch": self.branch,
        }
        rec.update(extra)
        self.nodes.append(rec)
        if parent is not None:
            self.nodes[parent]["items"].append({"type": "child", "node": idx, "seq": self.tick()})
        return idx

    def keys(
        self, name: str, kind: str, aval: Any, shape: tuple, parent: int | None, src: Any
    ) -> np.ndarray:
        """New keys of ``shape``: one node, or a group node with one subkey per position."""
        if not shape:
            self.last = self.node(name, kind, aval_str(aval), parent, src)
            return np.array(self.last)
        group = self.node(name, kind, aval_str(aval), parent, src, shape=list(shape), group=True)
        self.last = group
        base = self.base_name(group)
        short = aval_str(aval).split("[", 1)[0] + "[]"
        ids = np.zeros(shape, dtype=int)
        for pos in np.ndindex(*shape):
            label = ",".join(map(str, pos))
            ids[pos] = self.node(f"{base}/{label}", "subkey", short, None, None, index=label)
            self.nodes[ids[pos]]["parent"] = group
        self.nodes[group]["elements"] = [int(i) for i in ids.ravel()]
        self.last = group
        return ids

    def tick(self) -> int:
        self.seq += 1
        return self.seq

    def base_name(self, idx: int) -> str:
        """The name subkeys of a node are named after (a split group: the key it split)."""
        node = self.nodes[idx]
        if node["kind"] == "split" and node["parent"] is not None:
            return self.nodes[node["parent"]]["name"]
        return node["name"]

    def use(self, ids: np.ndarray, use: dict[str, Any]) -> None:
        """Record one consumption of every key in ``ids``, shown once in the tree."""
        flat = [int(i) for i in np.ravel(ids)]
        if not flat:
            return
        parents = {self.nodes[n]["parent"] for n in flat}
        shown = flat[0] if len(flat) == 1 else None
        if shown is None and len(parents) == 1 and None not in parents:
            shown = next(iter(parents))
        seq = self.tick()
        for n in flat:
            rec = self.nodes[n]
            rec["uses"].append(
                dict(use, seq=seq, loop=self.loop > rec["depth"], branch=self.branch)
            )
        targets = [shown] if shown is not None else flat
        for t in targets:
            item = dict(use, seq=seq, loop=self.loop > self.nodes[t]["depth"], keys=len(flat))
            item["branch"] = list(self.branch[-1]) if self.branch else None
            self.nodes[t]["items"].append({"type": use["kind"], "use": item, "seq": seq})

    def consumed(self, ids: np.ndarray, kinds: tuple = ("draw", "split", "loop")) -> np.ndarray:
        """Whether each key in ``ids`` has been consumed so far (by uses of these kinds)."""
        out = np.zeros(np.shape(ids), dtype=bool)
        for pos in np.ndindex(*np.shape(ids)):
            rec = self.nodes[int(ids[pos])]
            out[pos] = any(u["kind"] in kinds for u in rec["uses"])
        return out

    # --- walking ---------------------------------------------------------------------------
    def ref_of(self, env: dict, atom: Any) -> _Ref | None:
        try:
            return env.get(atom)
        except TypeError:  # literals are unhashable in some versions
            return None

    def walk_in(self, inner: Any, consts: tuple, sub_env: dict) -> None:
        for v, c in zip(inner.constvars, consts, strict=False):
            if _is_key(v.aval):
                sub_env[v] = _Ref(self.captured(v.aval, c))
        for e in inner.eqns:
            self.equation(e, sub_env)

    def captured(self, aval: Any, value: Any) -> np.ndarray:
        """Keys captured from Python (closed over): a root, with their data when readable."""
        import jax

        ids = self.keys("captured key", "captured", aval, tuple(aval.shape), None, None)
        try:
            data = np.asarray(jax.random.key_data(value))
            self.nodes[self.last]["value"] = " ".join(
                np.array2string(data, separator=" ", threshold=8).split()
            )
        except Exception:  # noqa: BLE001
            pass
        return ids

    def equation(self, eqn: Any, env: dict) -> None:
        prim = eqn.primitive.name
        refs = [self.ref_of(env, x) for x in eqn.invars]
        if prim == "random_seed":
            seed = _atom_value(eqn.invars[0])
            name = f"key({seed})" if seed is not None else "key(seed)"
            out = eqn.outvars[0]
            env[out] = _Ref(self.keys(name, "seed", out.aval, out.aval.shape, None, source_of(eqn)))
            return
        if prim == "random_wrap":
            self.wrap(eqn, refs[0], env)
            return
        if prim == "scan":
            self.scan(eqn, refs, env)
            return
        if prim == "while":
            self.while_loop(eqn, refs, env)
            return
        if prim == "cond":
            self.cond(eqn, refs, env)
            return
        if _sub_jaxprs(eqn):
            self.call(eqn, refs, env)
            return
        tracked = [r for r in refs if r is not None]
        if not tracked:
            return
        r = refs[0]
        if prim == "random_unwrap":
            out = eqn.outvars[0].aval.shape
            ids = r.ids.reshape(r.ids.shape + (1,) * (len(out) - r.ids.ndim))
            env[eqn.outvars[0]] = _Ref(np.broadcast_to(ids, out), raw=True)
        elif prim == "random_split" and r is not None:
            self.split(eqn, r, env)
        elif prim == "random_fold_in" and r is not None:
            self.fold_in(eqn, r, env)
        elif prim == "random_clone" and r is not None:
            out = eqn.outvars[0]
            ids = np.zeros(r.ids.shape, dtype=int)
            for pos in np.ndindex(*r.ids.shape):
                parent = int(r.ids[pos])
                name = f"clone({self.nodes[parent]['name']})"
                ids[pos] = self.node(name, "clone", aval_str(out.aval), parent, source_of(eqn))
            env[out] = _Ref(ids)
        elif prim == "random_bits" and r is not None:
            self.use(r.ids, _draw("random_bits", eqn, source_of(eqn)))
        elif (ids := _structural(eqn, refs)) is not None:
            env[eqn.outvars[0]] = _Ref(ids, raw=tracked[0].raw)
        elif prim in _PASS_THROUGH:
            for x, o in zip(eqn.invars, eqn.outvars, strict=False):
                if (rx := self.ref_of(env, x)) is not None:
                    env[o] = rx
        elif prim in ("dynamic_slice", "gather") and r is not None:
            self.pick(eqn, r, env)
        else:  # anything else producing keys: derived keys, children of the first key used
            parent = int(tracked[0].ids.flat[0]) if tracked[0].ids.size else None
            label = self.nodes[parent]["name"] if parent is not None else ""
            for o in eqn.outvars:
                if _is_key(o.aval):
                    ids = self.keys(
                        f"{prim}({label})", "derived", o.aval, o.aval.shape, parent, source_of(eqn)
                    )
                    env[o] = _Ref(ids)

    def wrap(self, eqn: Any, ref: _Ref | None, env: dict) -> None:
        out = eqn.outvars[0]
        if ref is not None:
            trailing = ref.ids.ndim - len(out.aval.shape)
            env[out] = _Ref(ref.ids[(Ellipsis,) + (0,) * trailing])
            return
        var = self.canonical(eqn.invars[0])
        ids = self.wrapped.get(var) if hashable(var) else None
        if ids is None:
            name = self.input_names.get(var) if hashable(var) else None
            kind = "input" if name is not None else "wrapped"
            legacy = f" (legacy {aval_str(var.aval)})"
            src = None if kind == "input" else source_of(eqn)
            ids = self.keys(name or "wrapped key", kind, out.aval, out.aval.shape, None, src)
            self.nodes[self.last]["aval"] += legacy
            if kind == "input":  # first wrapped in a loop or branch, still made outside it
                for n in {self.last, *(int(i) for i in ids.ravel())}:
                    self.nodes[n].update(depth=0, branch=())
            if hashable(var):
                self.wrapped[var] = ids
        env[out] = _Ref(ids)

    def split(self, eqn: Any, ref: _Ref, env: dict) -> None:
        src = source_of(eqn) or {}
        shape = tuple(eqn.params.get("shape", ()))
        label = "×".join(map(str, shape)) or "1"
        out = eqn.outvars[0]
        per_key = np.zeros(ref.ids.shape + shape, dtype=int)
        self.use(ref.ids, {"kind": "split", "n": label, **_where(src)})
        for pos in np.ndindex(*ref.ids.shape):
            parent = int(ref.ids[pos])
            name = f"split({self.nodes[parent]['name']}, {label})"
            ids = self.keys(name, "split", out.aval, shape, parent, src)
            per_key[pos] = ids
        env[out] = _Ref(per_key)

    def fold_in(self, eqn: Any, ref: _Ref, env: dict) -> None:
        src = source_of(eqn) or {}
        atom = eqn.invars[1]
        value = _atom_value(atom)
        out = eqn.outvars[0]
        ids = np.zeros(ref.ids.shape, dtype=int)
        var = self.canonical(atom) if value is None else None
        outside = value is not None or var is not atom  # the same data in every iteration
        for pos in np.ndindex(*ref.ids.shape):
            parent = int(ref.ids[pos])
            if value is not None:
                data, ident = value, ("lit", value)
            else:  # traced data: the same variable folds in the same data
                data = "i" if self.loop else "x"
                batched = np.ndim(getattr(atom.aval, "shape", ())) > 0
                ident = ("var", var, pos if batched else ())
            key = (parent, ident) if hashable(ident) else None
            if key is not None and key in self.folds:
                ids[pos] = self.folds[key]
                self.nodes[ids[pos]]["folds"] += 1
                continue
            depth = self.nodes[parent]["depth"] if outside else self.loop
            name = f"{self.nodes[parent]['name']}/fold({data})"
            ids[pos] = self.node(name, "fold_in", aval_str(out.aval), parent, src, data=data)
            self.nodes[ids[pos]].update(folds=1, depth=min(depth, self.loop))
            if key is not None:
                self.folds[key] = int(ids[pos])
        env[out] = _Ref(ids)

    def pick(self, eqn: Any, ref: _Ref, env: dict) -> None:
        """A key picked by a traced index: its own key, the same one for the same index."""
        out = eqn.outvars[0]
        index = tuple(self.canonical(x) for x in eqn.invars[1:])
        key = (tuple(int(i) for i in ref.ids.ravel()), index)
        if not hashable(key) or key not in self.picks:
            first = int(ref.ids.flat[0]) if ref.ids.size else None
            parent = self.nodes[first]["parent"] if first is not None else None
            parent = parent if parent is not None else first
            base = self.base_name(parent) if parent is not None else "keys"
            shape = out.aval.shape[: ref.ids.ndim] if ref.raw else out.aval.shape
            ids = self.keys(f"{base}/?", "dynamic", out.aval, shape, parent, source_of(eqn))
            if ref.raw:
                ids = np.broadcast_to(ids.reshape(ids.shape + (1,)), out.aval.shape)
            if not hashable(key):
                env[out] = _Ref(ids, raw=ref.raw)
                return
            self.picks[key] = ids
        env[out] = _Ref(self.picks[key], raw=ref.raw)

    def call(self, eqn: Any, refs: list, env: dict) -> None:
        """A primitive with a sub-jaxpr (jit, checkpoint, custom_jvp, shard_map, ...)."""
        subs = [
            s
            for s in _sub_jaxprs(eqn)
            if len(s[0].invars) == len(eqn.invars) and len(s[0].outvars) == len(eqn.outvars)
        ]
        if eqn.params.get("differentiated"):  # remat's recomputation in the backward pass
            return
        name = str(eqn.params.get("name", eqn.primitive.name))
        if not subs or _is_library(subs[0][0]):
            src = source_of(eqn)
            sampler = _sampler_name(name, (src or {}).get("code", ""))
            for r in refs:
                if r is not None and not r.raw:
                    self.use(r.ids, _draw(sampler, eqn, src, x_out=eqn.outvars))
            first = next((int(r.ids.flat[0]) for r in refs if r is not None and r.ids.size), None)
            label = self.nodes[first]["name"] if first is not None else ""
            for o in eqn.outvars:
                if _is_key(o.aval):
                    ids = self.keys(
                        f"{sampler}({label})", "derived", o.aval, o.aval.shape, first, src
                    )
                    env[o] = _Ref(ids)
            return
        inner, consts = subs[0]
        sub_env: dict = {}
        flows = []
        for v, x, r in zip(inner.invars, eqn.invars, refs, strict=False):
            if r is None:
                self.alias(v, x)
            elif tuple(r.ids.shape) == tuple(v.aval.shape):
                sub_env[v] = r
            else:  # a block of the keys (shard_map): each block's use is a use of all of them
                sub_env[v] = self.proxy(r, v, "each", source_of(eqn))
                flows.append((sub_env[v], r))
        self.walk_in(inner, consts, sub_env)
        for px, r in flows:
            if self.consumed(px.ids).any():
                self.use(r.ids, {"kind": "loop", "via": f"the {name} that received it"})
        for o, v in zip(eqn.outvars, inner.outvars, strict=False):
            r = self.ref_of(sub_env, v)
            if r is not None and tuple(r.ids.shape) == tuple(o.aval.shape):
                env[o] = r

    def proxy(self, ref: _Ref, var: Any, kind: str, src: Any) -> _Ref:
        """Stand-in keys for a loop's carry or per-iteration slice of ``ref``."""
        first = int(ref.ids.flat[0]) if ref.ids.size else None
        base = self.nodes[first]["name"] if first is not None else "keys"
        label = "(loop carry)" if kind == "carry" else "(one per iteration)"
        shape = tuple(var.aval.shape)
        key_shape = shape[: len(shape) - (ref.ids.ndim - len(ref.ids.shape))] if ref.raw else shape
        ids = self.keys(f"{base} {label}", kind, var.aval, key_shape, first, src)
        if ref.raw:
            ids = np.broadcast_to(ids.reshape(ids.shape + (1,) * (len(shape) - ids.ndim)), shape)
        return _Ref(ids, raw=ref.raw)

    def scan(self, eqn: Any, refs: list, env: dict) -> None:
        p = eqn.params
        n_consts, n_carry = p["num_consts"], p["num_carry"]
        body = p["jaxpr"]
        layout = ["const"] * n_consts + ["carry"] * n_carry
        layout += ["each"] * (len(eqn.invars) - len(layout))
        outs, proxies, _ = self.loop_walk(eqn, [(body.jaxpr, tuple(body.consts), 0)], refs, layout)
        self.loop_outputs(eqn, refs, env, outs, proxies, n_consts, n_carry, {})

    def while_loop(self, eqn: Any, refs: list, env: dict) -> None:
        p = eqn.params
        nc, nb = p["cond_nconsts"], p["body_nconsts"]
        n_carry = len(eqn.invars) - nc - nb
        layout = ["cond"] * nc + ["const"] * nb + ["carry"] * n_carry
        cond, body = p["cond_jaxpr"], p["body_jaxpr"]
        jaxprs = [(cond.jaxpr, tuple(cond.consts), -1), (body.jaxpr, tuple(body.consts), nc)]
        outs, proxies, checked = self.loop_walk(eqn, jaxprs, refs, layout)
        self.loop_outputs(eqn, refs, env, outs, proxies, nc + nb, n_carry, checked)

    def loop_walk(self, eqn: Any, jaxprs: list, refs: list, layout: list) -> tuple:
        """Walk a loop's cond (if any) and body with the same stand-ins for carry and xs.

        Each jaxpr comes with where its inputs start in the equation's (``-1``: the while's
        cond, which sees its own consts and then the carry). Returns the body's output refs,
        the stand-ins by position and what the cond consumed of them, after recording what
        a consumption of each implies: the next iteration consumes the key the body returns,
        and the first iteration the key passed in (all of ``xs`` for a per-iteration slice).
        """
        src = source_of(eqn)
        proxies: dict[int, _Ref] = {}
        checked: dict[int, np.ndarray] = {}
        self.loop += 1
        try:
            for i, (r, kind) in enumerate(zip(refs, layout, strict=True)):
                if r is not None and kind in ("carry", "each"):
                    body, _, start = jaxprs[-1]
                    proxies[i] = self.proxy(r, body.invars[i - start], kind, src)
            outs: list = []
            for inner, consts, start in jaxprs:
                positions = (
                    [i for i, k in enumerate(layout) if k in ("cond", "carry")]
                    if start < 0
                    else list(range(start, len(layout)))
                )
                sub_env: dict = {}
                for v, i in zip(inner.invars, positions, strict=True):
                    if i in proxies:
                        sub_env[v] = proxies[i]
                    elif refs[i] is not None:
                        sub_env[v] = refs[i]
                    elif layout[i] in ("cond", "const"):
                        self.alias(v, eqn.invars[i])
                self.walk_in(inner, consts, sub_env)
                outs = [self.ref_of(sub_env, o) for o in inner.outvars]
                if start < 0:  # what the cond_fun consumed it also consumes after the loop
                    checked = {i: self.consumed(px.ids) for i, px in proxies.items()}
            first_carry = layout.index("carry") if "carry" in layout else len(layout)
            flows = []
            for i, px in proxies.items():
                used = self.consumed(px.ids)
                if not used.any():
                    continue
                if layout[i] == "carry":
                    nxt = outs[i - first_carry]
                    if nxt is not None and nxt.ids.shape == used.shape:
                        via = "the next loop iteration (it is the loop carry)"
                        self.use(nxt.ids[used], {"kind": "loop", "via": via})
                    flows.append(refs[i].ids[used])
                else:
                    flows.append(refs[i].ids[np.broadcast_to(used, refs[i].ids.shape)])
        finally:
            self.loop -= 1
        for ids in flows:
            self.use(ids, {"kind": "loop", "via": "the loop it was passed to"})
        return outs, proxies, checked

    def loop_outputs(
        self,
        eqn: Any,
        refs: list,
        env: dict,
        outs: list,
        proxies: dict,
        n_consts: int,
        n_carry: int,
        checked: dict,
    ) -> None:
        """The keys a loop returns: the keys passed in, the outer keys, or new keys.

        ``checked``: per carry position, which keys a while's cond_fun consumed (it runs once
        more on the keys the loop returns).
        """
        src = source_of(eqn)
        back: dict[int, int] = {}  # a carry stand-in's key -> the key passed in
        for i, px in proxies.items():
            if n_consts <= i < n_consts + n_carry:
                for a, b in zip(px.ids.ravel(), refs[i].ids.ravel(), strict=True):
                    back[int(a)] = int(b)
        inner_depth = self.loop + 1
        xs = {i: px for i, px in proxies.items() if i >= n_consts + n_carry}
        for j, o in enumerate(eqn.outvars):
            r = outs[j] if j < len(outs) else None
            if r is None:
                continue
            if j >= n_carry:  # ys: the per-iteration values, stacked
                same = [refs[i] for i, px in xs.items() if np.array_equal(px.ids, r.ids)]
                if same:
                    env[o] = same[0]
                elif all(self.nodes[int(n)]["depth"] < inner_depth for n in r.ids.ravel()):
                    env[o] = _Ref(np.broadcast_to(r.ids, o.aval.shape), raw=r.raw)
                elif not r.raw:
                    first = int(r.ids.flat[0]) if r.ids.size else None
                    name = "keys stacked by the loop"
                    env[o] = _Ref(self.keys(name, "group", o.aval, o.aval.shape, first, src))
                continue
            ids = np.array(r.ids)
            made: dict[int, int] = {}  # a key made in the body -> the key after the loop
            for pos in np.ndindex(*r.ids.shape):
                n = int(r.ids[pos])
                if n in back:
                    ids[pos] = back[n]
                elif self.nodes[n]["depth"] >= inner_depth and n not in made:
                    rec = self.nodes[n]
                    made[n] = self.node(
                        f"{rec['name']} after the loop", "derived", rec["aval"], n, src
                    )
                    cond_used = checked.get(n_consts + j)
                    if cond_used is not None and cond_used.shape == r.ids.shape and cond_used[pos]:
                        via = "the loop's last cond_fun check"
                    elif self.consumed(np.array(n), ("draw", "split")).any():
                        via = "the loop's last iteration"
                    else:
                        continue
                    self.use(np.array(made[n]), {"kind": "loop", "via": via})
            for pos in np.ndindex(*r.ids.shape):
                ids[pos] = made.get(int(ids[pos]), ids[pos])
            env[o] = _Ref(ids, raw=r.raw)

    def cond(self, eqn: Any, refs: list, env: dict) -> None:
        self.n_conds += 1
        cid = f"c{self.n_conds}"
        saved = self.branch
        outs = []
        for b, br in enumerate(eqn.params["branches"]):
            inner = br.jaxpr
            sub_env: dict = {}
            for v, x, r in zip(inner.invars, eqn.invars[1:], refs[1:], strict=False):
                if r is not None:
                    sub_env[v] = r
                else:
                    self.alias(v, x)
            self.branch = saved + ((cid, b),)
            try:
                self.walk_in(inner, tuple(br.consts), sub_env)
            finally:
                self.branch = saved
            outs.append([self.ref_of(sub_env, o) for o in inner.outvars])
        src = source_of(eqn)
        for j, o in enumerate(eqn.outvars):
            rs = [out[j] for out in outs]
            if rs and all(r is not None and np.array_equal(r.ids, rs[0].ids) for r in rs):
                env[o] = rs[0]
            elif _is_key(o.aval):
                first = next((int(r.ids.flat[0]) for r in rs if r is not None and r.ids.size), None)
                env[o] = _Ref(self.keys("cond result", "derived", o.aval, o.aval.shape, first, src))


def _structural(eqn: Any, refs: list) -> np.ndarray | None:
    """The keys at each position after a reshape, broadcast, slice, ... (None: not one)."""
    prim, p = eqn.primitive.name, eqn.params
    r = refs[0]
    if r is None and prim != "concatenate":
        return None
    try:
        if prim == "reshape":
            return r.ids.reshape(eqn.outvars[0].aval.shape)
        if prim == "broadcast_in_dim":
            shape, dims = tuple(p["shape"]), tuple(p["broadcast_dimensions"])
            full = r.ids.shape
            expanded = [full[dims.index(d)] if d in dims else 1 for d in range(len(shape))]
            return np.broadcast_to(r.ids.reshape(expanded), shape)
        if prim == "squeeze":
            return np.squeeze(r.ids, axis=tuple(p["dimensions"]))
        if prim == "expand_dims":
            return np.expand_dims(r.ids, tuple(p["dimensions"]))
        if prim == "slice":
            strides = p.get("strides") or (1,) * len(p["start_indices"])
            index = tuple(
                slice(*t) for t in zip(p["start_indices"], p["limit_indices"], strides, strict=True)
            )
            return r.ids[index]
        if prim == "transpose":
            return r.ids.transpose(p["permutation"])
        if prim == "rev":
            return np.flip(r.ids, tuple(p["dimensions"]))
        if prim == "stack":
            if any(x is None for x in refs):
                return None
            return np.stack([x.ids for x in refs], axis=p["axis"])
        if prim == "concatenate":
            if any(x is None for x in refs):
                return None
            return np.concatenate([x.ids for x in refs], axis=p["dimension"])
        if prim == "dynamic_slice":
            starts = [_atom_int(x) for x in eqn.invars[1:]]
            if None in starts:
                return None
            sizes = p["slice_sizes"]
            index = tuple(
                slice(s, s + n)
                for s, n in (
                    (min(max(s, 0), d - n), n)
                    for s, n, d in zip(starts, sizes, r.ids.shape, strict=True)
                )
            )
            return r.ids[index]
    except (ValueError, IndexError, KeyError, TypeError):
        return None
    return None


def _is_literal(x: Any) -> bool:
    from jax.extend.core import Literal

    return isinstance(x, Literal)


def _atom_value(atom: Any) -> str | None:
    if _is_literal(atom):
        return _literal_str(atom.val)
    return None


def _atom_int(atom: Any) -> int | None:
    if _is_literal(atom):
        try:
            return int(atom.val)
        except (TypeError, ValueError):
            return None
    return None


def _draw(sampler: str, eqn: Any, src: dict | None, x_out: Any = None) -> dict[str, Any]:
    outs = ", ".join(aval_str(o.aval) for o in (x_out or eqn.outvars))
    return {"kind": "draw", "sampler": sampler, "aval": outs, **_where(src or {})}


def _where(src: dict) -> dict[str, str]:
    return {"source": src.get("where", ""), "code": src.get("code", "")}


# --------------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------------
_CONSUMING = ("draw", "split", "loop")


def _times(node: dict) -> tuple[int, bool]:
    """How many times a key is consumed in one run, and whether also in a later iteration."""
    uses = [u for u in node["uses"] if u["kind"] in _CONSUMING]
    base = node["branch"]
    paths = [u["branch"][len(base) :] if u["branch"][: len(base)] == base else () for u in uses]
    return _count(paths), any(u["loop"] for u in uses)


def _use_words(u: dict) -> str:
    at = f" at {u['source']}" if u.get("source") else ""
    loop = " inside a loop" if u["loop"] else ""
    if u["kind"] == "draw":
        return f"by {u['sampler']}{at}{loop}"
    if u["kind"] == "split":
        return f"by split{at}{loop}"
    return f"by {u['via']}{loop}"


def _explain(node: dict) -> str:
    name = node["name"]
    uses = [u for u in node["uses"] if u["kind"] in _CONSUMING]
    fn_name = name if name.isidentifier() else "k"
    words = " and ".join(_use_words(u) for u in uses)
    if node["kind"] == "fold_in" and (node["folds"] > 1 or any(u["loop"] for u in uses)):
        why = (
            "folding the same data into the same key gives the same key every time, so the "
            "draws made from it repeat. Fold in distinct data (a loop index, a step number)"
        )
        return f"key `{name}` was used {words}: {why}."
    if any(u["loop"] for u in uses):
        return (
            f"key `{name}` was used {words}: the key was made outside the loop, so every "
            "iteration consumes the same key and draws the same numbers. Split it inside the "
            f"loop (key, sub = jax.random.split(key), carrying key), or fold in the index: "
            f"jax.random.fold_in({fn_name}, i)."
        )
    if any(u["kind"] == "loop" for u in uses):
        return (
            f"key `{name}` was used {words}: a loop consumes the keys passed into it, and each "
            "iteration the key the previous one returned. In the body split the carried key and "
            "return the new one: key, sub = jax.random.split(key), draw with sub, return key."
        )
    draws = [u for u in uses if u["kind"] == "draw"]
    if len(draws) == len(uses):
        what = "the draws are correlated (they use the identical random bits)"
    elif draws:
        what = "its subkeys are not independent of the numbers drawn from it"
    else:
        what = "the key is consumed twice, so what is made from it repeats"
    n = len(uses)
    subs = ", ".join(f"k{i + 1}" for i in range(n))
    return (
        f"key `{name}` was used {words}: {what}. A key must be consumed once. Split it first: "
        f"{subs} = jax.random.split({fn_name}{'' if n == 2 else f', {n}'}) and give each use "
        "its own key."
    )


def _visible(node: dict, n_elements: int) -> bool:
    """Whether a subkey of a group is shown: small groups show all, big ones the used ones."""
    return (
        n_elements <= EAGER_ELEMENTS
        or bool(node["items"])
        or node.get("reused", False)
        or node.get("returned", False)
    )


def finish(walker: _Walker, name: str, outputs: list[_Ref]) -> dict[str, Any]:
    """Plain data from a walk: nodes, roots, counts and the reused keys, explained."""
    nodes = walker.nodes
    for r in outputs:
        for n in np.ravel(r.ids):
            nodes[int(n)]["returned"] = True
    reused = []
    for node in nodes:
        times, in_loop = _times(node)
        node["times"] = times
        if times > 1 or (times == 1 and in_loop):
            node["reused"] = True
            node["explanation"] = _explain(node)
            reused.append(node["id"])
    for node in nodes:
        node["items"].sort(key=lambda it: it["seq"])
        if "elements" in node:
            elems = node.pop("elements")
            node["children"] = [i for i in elems if _visible(nodes[i], len(elems))]
        for u in node["uses"]:
            u["branch"] = [list(b) for b in u["branch"]]
        node["branch"] = [list(b) for b in node["branch"]]
    draws = sum(1 for n in nodes for it in n["items"] if it["type"] == "draw")
    return {
        "name": name,
        "nodes": nodes,
        "roots": [i for i, n in enumerate(nodes) if n["parent"] is None],
        "n_keys": sum(1 for n in nodes if not n.get("group")),
        "n_draws": draws,
        "reused": reused,
        "concept": CONCEPT,
    }


def key_tree_model(closed: Any, name: str = "", arg_names: list[str] | None = None) -> dict:
    """Plain data for the key lineage in a ``ClosedJaxpr``."""
    jx = closed.jaxpr
    walker = _Walker()
    env: dict = {}
    names = arg_names or []
    for i, v in enumerate(jx.invars):
        label = names[i] if i < len(names) else f"input {i}"
        if _is_key(v.aval):
            ids = walker.keys(label, "input", v.aval, tuple(v.aval.shape), None, None)
            if ids.ndim:
                walker.nodes[walker.last].update(kind="split", root_batch=True)
            env[v] = _Ref(ids)
        else:
            walker.input_names[v] = label
    walker.walk_in(jx, tuple(closed.consts), env)
    outputs = [env[o] for o in jx.outvars if walker.ref_of(env, o) is not None]
    return finish(walker, name, outputs)


def single_key_model(key: Any) -> dict[str, Any]:
    """Plain data for one key array (no function): its type, shape and raw data."""
    import jax

    walker = _Walker()
    typed = _is_key(key)
    aval = jax.typeof(key) if typed else None
    label = aval_str(aval) if typed else f"{aval_str(jax.typeof(key))} (legacy raw key data)"
    node = walker.node("key", "input", label, None, None)
    data = np.asarray(jax.random.key_data(key) if typed else key)
    walker.nodes[node]["value"] = " ".join(
        np.array2string(data, separator=" ", threshold=16).split()
    )
    model = finish(walker, "", [])
    model["single"] = True
    return model


# --------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------
def key_tree(fn: Any, *args: Any, **kwargs: Any) -> View:
    """Show how PRNG keys flow through ``fn(*args, **kwargs)``: splits, fold_ins, draws, reuse.

    ``fn`` is traced with ``jax.make_jaxpr`` (nothing random is computed); keys may be typed
    (``jax.random.key``) or legacy (``jax.random.PRNGKey``), passed in, captured or made inside,
    also inside ``jit``, loops and ``cond``. A key consumed twice is flagged red and explained.
    ``js.key_tree(key)`` with a key array alone shows that key. Returns a :class:`KeyTreeView`,
    or an error panel when tracing ``fn`` fails.
    """
    import jax

    if not callable(fn) and not args and not kwargs and isinstance(fn, jax.Array):
        return KeyTreeView(single_key_model(fn))
    require_callable(fn, "fn")
    bound = bind(fn, args, kwargs, view="js.key_tree")
    try:
        closed = bound.make_jaxpr()
    except Exception as exc:  # noqa: BLE001 - the learner's function failed: explain it
        return error_panel("Could not trace fn", exc, fn)
    return KeyTreeView(key_tree_model(closed, name=fn_name(fn), arg_names=bound.leaf_names()))


# --------------------------------------------------------------------------------------------
# renderers
# --------------------------------------------------------------------------------------------
def _node_label(node: dict) -> str:
    kind = node["kind"]
    if kind == "split" and not node.get("root_batch"):
        n = "×".join(map(str, node.get("shape", []))) or "1"
        return f"split into {n}"
    if kind == "fold_in":
        return f"fold_in {node['data']} → {node['name']}"
    return node["name"]


def _node_notes(node: dict) -> list[str]:
    notes = []
    if node["kind"] in ("input", "captured", "seed", "wrapped"):
        notes.append(node["aval"])
        notes.append({"input": "input", "captured": "captured from Python"}.get(node["kind"], ""))
    if node.get("value"):
        notes.append(f"data {node['value']}")
    if node["source"] and node["kind"] != "subkey":
        notes.append(f"@ {node['source']}")
    if node.get("returned"):
        notes.append("returned")
    if _unused(node):
        notes.append("unused")
    return [n for n in notes if n]


def _unused(node: dict) -> bool:
    return (
        node["kind"] in ("subkey", "fold_in", "clone", "seed", "input", "each", "carry")
        and not node["items"]
        and not node.get("children")
        and not node["uses"]
        and not node.get("returned")
        and not node.get("value")
    )


def _draw_label(use: dict) -> str:
    extra = f" (each of {use['keys']} keys)" if use["keys"] > 1 else ""
    extra += " (every loop iteration)" if use["loop"] else ""
    if use.get("branch"):
        extra += f" (cond branch {use['branch'][1]})"
    return f"● {use['sampler']} → {use['aval']}{extra}"


def _flag(node: dict) -> str:
    uses = [u for u in node["uses"] if u["kind"] in _CONSUMING]
    if node["times"] == 1 and any(u["loop"] for u in uses):
        return "REUSED in every loop iteration"
    return f"REUSED ×{node['times']}"


def _children(model: dict, node: dict) -> list[tuple[str, Any]]:
    """``("node", index)`` / ``("draw", use)`` entries under a node, in program order."""
    out: list[tuple[str, Any]] = [("node", i) for i in node.get("children", [])]
    for it in node["items"]:
        if it["type"] == "child":
            out.append(("node", it["node"]))
        elif it["type"] == "draw":
            out.append(("draw", it["use"]))
    return out


def _text_lines(model: dict, idx: int, prefix: str, last: bool, top: bool) -> list[str]:
    node = model["nodes"][idx]
    notes = _node_notes(node)
    head = _node_label(node)
    if node.get("reused"):
        head += f"  ⚠ {_flag(node)}"
    line = head + (f"  [{'; '.join(notes)}]" if notes else "")
    lines = [line if top else f"{prefix}{'└─ ' if last else '├─ '}{line}"]
    inner = prefix if top else prefix + ("   " if last else "│  ")
    kids = _children(model, node)
    for j, (kind, val) in enumerate(kids):
        is_last = j == len(kids) - 1
        if kind == "node":
            lines.extend(_text_lines(model, val, inner, is_last, False))
        else:
            where = f"  @ {val['source']}" if val["source"] else ""
            lines.append(f"{inner}{'└─ ' if is_last else '├─ '}{_draw_label(val)}{where}")
    return lines


def _summary(model: dict) -> str:
    roots = len(model["roots"])
    r = len(model["reused"])
    return (
        f"{roots} root key{'s' if roots != 1 else ''}, {model['n_keys']} "
        f"key{'s' if model['n_keys'] != 1 else ''}, "
        f"{model['n_draws']} draw{'s' if model['n_draws'] != 1 else ''}, "
        f"{r} reused key{'s' if r != 1 else ''}"
    )


NO_KEYS = (
    "No PRNG key found: the function neither takes, captures nor makes a key. Pass one in, "
    "e.g. js.key_tree(f, jax.random.key(0), x)."
)


class KeyTreeView(View):
    """The tree of PRNG keys: roots, splits, fold_ins, draws; reused keys flagged and explained."""

    kind = "key_tree"
    styles = ("key_tree",)

    def title(self) -> str:
        d = self.data
        if d.get("single"):
            return "PRNG key"
        return f"key tree of {d['name'] or 'fn'}"

    def text(self) -> str:
        d = self.data
        lines = [f"{self.title()}: {_summary(d)}"]
        if not d["roots"]:
            lines.append(NO_KEYS)
            return "\n".join(lines)
        for i in d["roots"]:
            lines.extend(_text_lines(d, i, "", True, True))
        if d["reused"]:
            lines.append("")
            lines.append(f"Reused keys (cheat sheet: {d['concept']}):")
            for node in d["nodes"]:
                if node.get("reused"):
                    lines.append(f"  ⚠ {node['explanation']}")
        elif d["n_draws"] and not d.get("single"):
            lines.append("No key is used twice: every draw has its own key.")
        return "\n".join(lines)

    def _li(self, idx: int) -> str:
        d = self.data
        node = d["nodes"][idx]
        cls = "jxs-key_tree-key"
        if node.get("reused"):
            cls += " jxs-key_tree-reused"
        if node["kind"] == "split" and not node.get("root_batch"):
            cls += " jxs-key_tree-split"
        if _unused(node):
            cls += " jxs-key_tree-unused"
        title = f"{node['name']}: {node['aval']}"
        if node.get("code"):
            title += f"\n{node['code']}"
        notes = "".join(
            f' <span class="jxs-key_tree-note">{esc(n)}</span>' for n in _node_notes(node)
        )
        flag = (
            f' <span class="jxs-key_tree-flag">{esc(_flag(node))}</span>'
            if node.get("reused")
            else ""
        )
        parts = [
            f'<li><span class="{cls}" data-node="{node["id"]}" title="{esc(title)}">'
            f"{esc(_node_label(node))}</span>{flag}{notes}"
        ]
        kids = _children(d, node)
        if kids:
            parts.append("<ul>")
            for kind, val in kids:
                if kind == "node":
                    parts.append(self._li(val))
                else:
                    where = (
                        f' <span class="jxs-key_tree-note">{esc(val["source"])}</span>'
                        if val["source"]
                        else ""
                    )
                    title = esc(val["code"] or val["sampler"])
                    parts.append(
                        f'<li><span class="jxs-key_tree-draw" title="{title}">'
                        f"{esc(_draw_label(val))}</span>{where}</li>"
                    )
            parts.append("</ul>")
        parts.append("</li>")
        return "".join(parts)

    def html_body(self) -> str:
        d = self.data
        parts = [
            f'<div class="jxs-key_tree-header"><div class="jxs-head">{esc(self.title())}</div>'
            f'<span class="jxs-badge">{esc(_summary(d))}</span></div>'
        ]
        if not d["roots"]:
            parts.append(f'<div class="jxs-key_tree-empty">{esc(NO_KEYS)}</div>')
            return "".join(parts)
        parts.append('<ul class="jxs-key_tree-tree jxs-mono">')
        parts.extend(self._li(i) for i in d["roots"])
        parts.append("</ul>")
        if d["reused"]:
            items = "".join(
                f'<li data-node="{n["id"]}">{esc(n["explanation"])}</li>'
                for n in d["nodes"]
                if n.get("reused")
            )
            parts.append(
                '<div class="jxs-key_tree-explain"><b>Key reused</b>'
                f"<ul>{items}</ul><div>Cheat sheet: <code>{esc(d['concept'])}</code></div></div>"
            )
        elif d["n_draws"] and not d.get("single"):
            parts.append(
                '<div class="jxs-key_tree-ok">No key is used twice: every draw has its own key.'
                "</div>"
            )
        parts.append(
            '<div class="jxs-key_tree-legend jxs-muted">key/0: subkey 0 of a split; '
            "key/fold(7): fold_in(key, 7); ● a draw by a sampler. A key must be consumed "
            "once: by one draw or one split.</div>"
        )
        return "".join(parts)
