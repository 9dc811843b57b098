"""``js.key_tree(fn, *args)``: the lineage of PRNG keys through split and fold_in, reuse flagged.

The model (:func:`key_tree_model`) walks the jaxpr of ``fn`` and follows every key-typed value
(``key<fry>`` from ``jax.random.key``, and legacy ``uint32[2]`` keys from ``PRNGKey``, which the
jaxpr wraps with ``random_wrap``): inputs and seeds are roots, ``random_split`` makes a group of
subkeys (one node per index taken with ``slice``/``squeeze``/indexing), ``random_fold_in`` makes a
child key, and samplers (``normal``, ``uniform``, ... found as calls into ``jax.random``, or
``random_bits``) are the leaves. A key consumed more than once (two draws, a draw and a split,
two splits, the same ``fold_in`` twice, or a draw inside a loop from a key made outside it) is
flagged as reused, with the explanation and the fix. :class:`KeyTreeView` renders the tree as an
indented text tree and as a nested HTML list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ._errors import error_panel, fn_name, require_callable
from ._jaxpr_view import (
    _check_leaves,
    _leaf_names,
    _literal_str,
    _param_names,
    aval_str,
    source_of,
)
from ._view import View, esc

CONCEPT = "key-reuse"
EAGER_ELEMENTS = 16  # subkeys of a split drawn even when unused, up to this many
_JIT_LIKE = ("jit", "pjit", "closed_call", "core_call", "remat", "checkpoint")
_PASS_THROUGH = ("copy", "copy_p", "device_put", "optimization_barrier", "random_clone")
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


@dataclass(frozen=True)
class _Ref:
    """What a jaxpr variable holds: one key node, or some keys of a split group."""

    node: int
    indices: tuple[int, ...] | None = None  # None: the node itself (a single key)
    raw: bool = False  # the uint32 data of the key (random_unwrap / legacy PRNGKey)


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


class _Walker:
    """Follows key-typed variables through a jaxpr and its sub-jaxprs, building the tree."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.seq = 0
        self.wrapped: dict[Any, int] = {}  # legacy input var -> its node
        self.loop = 0  # depth of loops being walked
        self.branch: tuple[str, int] | None = None  # (cond id, branch index)
        self.n_conds = 0
        self.input_names: dict[Any, str] = {}
        self.canon: dict[Any, Any] = {}  # a sub-jaxpr's input var -> the outer var it receives

    def canonical(self, var: Any) -> Any:
        return self.canon.get(var, var) if _hashable(var) else var

    def alias(self, inner: Any, outer: Any) -> None:
        """Remember that ``inner`` (a sub-jaxpr input) receives the untracked ``outer``."""
        if _hashable(inner) and _hashable(outer) and not _is_literal(outer):
            self.canon[inner] = self.canonical(outer)

    # --- nodes -----------------------------------------------------------------------------
    def node(self, name: str, kind: str, aval: str, parent: int | None, src: dict | None) -> int:
        idx = len(self.nodes)
        self.nodes.append(
            {
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
        )
        if parent is not None:
            self.nodes[parent]["items"].append({"type": "child", "node": idx, "seq": self.tick()})
        return idx

    def tick(self) -> int:
        self.seq += 1
        return self.seq

    def element(self, group: int, i: int) -> int:
        g = self.nodes[group]
        elems = g.setdefault("elements", {})
        if i not in elems:
            base = self.base_name(group)
            idx = len(self.nodes)
            self.nodes.append(
                {
                    "id": f"k{idx}",
                    "name": f"{base}/{i}",
                    "kind": "subkey",
                    "index": i,
                    "aval": g["aval"].split("[", 1)[0] + "[]",
                    "parent": group,
                    "source": "",
                    "code": "",
                    "items": [],
                    "uses": [],
                    "depth": g["depth"],
                    "branch": g["branch"],
                }
            )
            elems[i] = idx
        return elems[i]

    def base_name(self, idx: int) -> str:
        """The name subkeys of a node are named after (a split group: the key it split)."""
        node = self.nodes[idx]
        if node["kind"] == "split" and node["parent"] is not None:
            return self.nodes[node["parent"]]["name"]
        return node["name"]

    def singles(self, ref: _Ref) -> list[int]:
        """The key nodes a reference stands for (each element of a group, or the key)."""
        if ref.indices is None:
            return [ref.node]
        return [self.element(ref.node, i) for i in ref.indices]

    def use(self, node: int, use: dict[str, Any]) -> None:
        rec = self.nodes[node]
        use = dict(use, seq=self.tick(), loop=self.loop > rec["depth"], branch=self.branch)
        rec["uses"].append(use)
        if use["kind"] == "draw":
            rec["items"].append({"type": "draw", "use": len(rec["uses"]) - 1, "seq": use["seq"]})

    # --- walking ---------------------------------------------------------------------------
    def walk(self, jx: Any, env: dict) -> None:
        for eqn in jx.eqns:
            self.equation(eqn, env)

    def ref_of(self, env: dict, atom: Any) -> _Ref | None:
        try:
            return env.get(atom)
        except TypeError:  # literals are unhashable in some versions
            return None

    def equation(self, eqn: Any, env: dict) -> None:
        prim = eqn.primitive.name
        refs = [self.ref_of(env, x) for x in eqn.invars]
        tracked = [r for r in refs if r is not None]
        if prim == "random_seed":
            src = source_of(eqn)
            seed = _atom_value(eqn.invars[0])
            name = f"key({seed})" if seed is not None else "key(seed)"
            env[eqn.outvars[0]] = _Ref(
                self.node(name, "seed", aval_str(eqn.outvars[0].aval), None, src)
            )
            return
        if prim == "random_wrap":
            ref = refs[0]
            if ref is not None:
                env[eqn.outvars[0]] = _Ref(ref.node, ref.indices, raw=False)
                return
            var = self.canonical(eqn.invars[0])
            name = self.input_names.get(var) if _hashable(var) else None
            node = self.wrapped.get(var) if _hashable(var) else None
            if node is None:
                kind = "input" if name is not None else "wrapped"
                aval = aval_str(eqn.outvars[0].aval) + f" (legacy {aval_str(var.aval)})"
                node = self.node(
                    name, kind, aval, None, None if kind == "input" else source_of(eqn)
                )
                if _hashable(var):
                    self.wrapped[var] = node
            env[eqn.outvars[0]] = _Ref(node)
            return
        if prim in _JIT_LIKE or prim in ("custom_jvp_call", "custom_vjp_call"):
            self.call(eqn, refs, env)
            return
        if prim in ("scan", "while"):
            self.loop_eqn(eqn, refs, env)
            return
        if prim == "cond":
            self.cond(eqn, refs, env)
            return
        if not tracked:
            return
        if prim == "random_unwrap":
            r = refs[0]
            env[eqn.outvars[0]] = _Ref(r.node, r.indices, raw=True)
            return
        if prim in _PASS_THROUGH or (
            prim == "reshape" and refs[0] is not None and _same_shape(eqn)
        ):
            for x, o in zip(eqn.invars, eqn.outvars, strict=False):
                r = self.ref_of(env, x)
                if r is not None:
                    env[o] = r
            return
        if prim == "random_split":
            self.split(eqn, refs[0], env)
            return
        if prim == "random_fold_in":
            self.fold_in(eqn, refs[0], env)
            return
        if prim == "random_bits":
            src = source_of(eqn)
            for n in self.singles(refs[0]):
                self.use(n, _draw("random_bits", eqn, src))
            return
        if prim == "slice":
            self.slice(eqn, refs[0], env)
            return
        if prim == "squeeze":
            r = refs[0]
            if r.indices is not None and len(r.indices) == 1 and 0 in eqn.params["dimensions"]:
                env[eqn.outvars[0]] = _Ref(self.element(r.node, r.indices[0]), raw=r.raw)
            else:
                env[eqn.outvars[0]] = r
            return
        if prim in ("dynamic_slice", "gather", "dynamic_index_in_dim") and refs[0] is not None:
            r = refs[0]
            idx = _static_index(eqn)
            if r.indices is not None and idx is not None and idx < len(r.indices):
                env[eqn.outvars[0]] = _Ref(r.node, (r.indices[idx],), raw=r.raw)
            else:
                node = self.node(
                    f"{self.base_name(r.node)}/?",
                    "dynamic",
                    aval_str(eqn.outvars[0].aval),
                    r.node,
                    source_of(eqn),
                )
                env[eqn.outvars[0]] = _Ref(node, raw=r.raw)
            return
        # anything else producing keys: a derived key, child of the first key it came from
        outs = [o for o in eqn.outvars if _is_key(o.aval) or tracked[0].raw]
        for o in outs:
            parent = tracked[0].node
            node = self.node(
                f"{prim}({self.nodes[parent]['name']})",
                "derived",
                aval_str(o.aval),
                parent,
                source_of(eqn),
            )
            env[o] = _Ref(node, raw=not _is_key(o.aval))

    def split(self, eqn: Any, ref: _Ref, env: dict) -> None:
        src = source_of(eqn) or {}
        shape = tuple(eqn.params.get("shape", ()))
        label = "×".join(map(str, shape)) or "1"
        group = None
        for n in self.singles(ref):
            self.use(n, {"kind": "split", "n": label, **_where(src)})
            group = self.node(
                f"split({self.nodes[n]['name']}, {label})",
                "split",
                aval_str(eqn.outvars[0].aval),
                n,
                src,
            )
            self.nodes[group]["shape"] = list(shape)
            if len(shape) == 1 and shape[0] <= EAGER_ELEMENTS:
                for i in range(shape[0]):
                    self.element(group, i)
        # a split of several keys at once (under vmap) gives one group per key; follow the last
        indices = tuple(range(shape[0])) if len(shape) == 1 and ref.indices is None else None
        env[eqn.outvars[0]] = _Ref(group, indices)

    def fold_in(self, eqn: Any, ref: _Ref, env: dict) -> None:
        src = source_of(eqn) or {}
        value = _atom_value(eqn.invars[1])
        if value is not None:
            data, ident = value, ("lit", value)
        else:  # traced data: distinct variables give distinct keys
            data, ident = ("i" if self.loop else "x"), ("var", id(eqn.invars[1]))
        out = None
        for n in self.singles(ref):
            uses = self.nodes[n]["uses"]
            dup = any(u["kind"] == "fold_in" and u["ident"] == ident for u in uses)
            self.use(
                n, {"kind": "fold_in", "data": data, "ident": ident, "dup": dup, **_where(src)}
            )
            out = self.node(
                f"{self.nodes[n]['name']}/fold({data})",
                "fold_in",
                aval_str(eqn.outvars[0].aval),
                n,
                src,
            )
            self.nodes[out]["data"] = data
        env[eqn.outvars[0]] = _Ref(out)

    def slice(self, eqn: Any, ref: _Ref, env: dict) -> None:
        if ref.indices is None:
            env[eqn.outvars[0]] = ref
            return
        start = eqn.params["start_indices"][0]
        limit = eqn.params["limit_indices"][0]
        strides = eqn.params.get("strides") or (1,)
        env[eqn.outvars[0]] = _Ref(ref.node, ref.indices[start : limit : strides[0]], raw=ref.raw)

    def call(self, eqn: Any, refs: list, env: dict) -> None:
        sub = eqn.params.get("jaxpr", eqn.params.get("call_jaxpr", eqn.params.get("fun_jaxpr")))
        name = str(eqn.params.get("name", eqn.primitive.name))
        if sub is None or _is_library(sub):
            src = source_of(eqn)
            sampler = _sampler_name(name, (src or {}).get("code", ""))
            for r in refs:
                if r is not None and not r.raw:
                    for n in self.singles(r):
                        self.use(n, _draw(sampler, eqn, src, x_out=eqn.outvars))
            first = next((r.node for r in refs if r is not None), None)
            for o in eqn.outvars:
                if _is_key(o.aval):
                    label = self.nodes[first]["name"] if first is not None else ""
                    node = self.node(f"{sampler}({label})", "derived", aval_str(o.aval), first, src)
                    env[o] = _Ref(node)
            return
        inner = getattr(sub, "jaxpr", sub)
        sub_env: dict = {}
        for v, x, r in zip(inner.invars, eqn.invars, refs, strict=False):
            if r is not None:
                sub_env[v] = r
            else:
                self.alias(v, x)
        self.walk_in(inner, sub_env)
        for o, v in zip(eqn.outvars, inner.outvars, strict=False):
            r = self.ref_of(sub_env, v)
            if r is not None:
                env[o] = r

    def walk_in(self, inner: Any, sub_env: dict) -> None:
        for e in inner.eqns:
            self.equation(e, sub_env)

    def loop_eqn(self, eqn: Any, refs: list, env: dict) -> None:
        p = eqn.params
        if eqn.primitive.name == "scan":
            body, n_consts, n_carry = p["jaxpr"], p["num_consts"], p["num_carry"]
            invars = list(eqn.invars)
        else:
            body, n_consts = p["body_jaxpr"], p["body_nconsts"]
            refs, invars = refs[p["cond_nconsts"] :], list(eqn.invars)[p["cond_nconsts"] :]
            n_carry = len(invars) - n_consts
        src = source_of(eqn)
        inner = getattr(body, "jaxpr", body)
        sub_env: dict = {}
        carries: dict[int, int] = {}
        self.loop += 1  # nodes made here live inside the loop: one per iteration
        try:
            for i, (v, x, r) in enumerate(zip(inner.invars, invars, refs, strict=False)):
                if r is None:
                    self.alias(v, x)
                elif i < n_consts:
                    sub_env[v] = r  # the same key in every iteration
                else:
                    first = self.singles(r)[0] if r.indices is not None else r.node
                    kind = "carry" if i < n_consts + n_carry else "each"
                    label = "(loop carry)" if kind == "carry" else "(one per iteration)"
                    base = self.nodes[first]["name"]
                    node = self.node(f"{base} {label}", kind, aval_str(v.aval), first, src)
                    sub_env[v] = _Ref(node, raw=r.raw)
                    if kind == "carry":
                        carries[i - n_consts] = node
            self.walk_in(inner, sub_env)
        finally:
            self.loop -= 1
        for j, o in enumerate(eqn.outvars):
            if _is_key(o.aval) and j in carries:
                parent = carries[j]
                name = self.nodes[parent]["name"].replace(" (loop carry)", "") + " after the loop"
                env[o] = _Ref(self.node(name, "derived", aval_str(o.aval), parent, src))

    def cond(self, eqn: Any, refs: list, env: dict) -> None:
        self.n_conds += 1
        cid = f"c{self.n_conds}"
        saved = self.branch
        for b, br in enumerate(eqn.params["branches"]):
            inner = getattr(br, "jaxpr", br)
            sub_env = {}
            for v, x, r in zip(inner.invars, eqn.invars[1:], refs[1:], strict=False):
                if r is not None:
                    sub_env[v] = r
                else:
                    self.alias(v, x)
            self.branch = (cid, b)
            try:
                self.walk_in(inner, sub_env)
            finally:
                self.branch = saved
        src = source_of(eqn)
        for o in eqn.outvars:
            if _is_key(o.aval):
                first = next(r for r in refs if r is not None)
                env[o] = _Ref(
                    self.node("cond result", "derived", aval_str(o.aval), first.node, src)
                )


def _is_literal(x: Any) -> bool:
    from jax.extend.core import Literal

    return isinstance(x, Literal)


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def _atom_value(atom: Any) -> str | None:
    from jax.extend.core import Literal

    if isinstance(atom, Literal):
        return _literal_str(atom.val)
    return None


def _same_shape(eqn: Any) -> bool:
    return tuple(eqn.invars[0].aval.shape) == tuple(eqn.outvars[0].aval.shape)


def _static_index(eqn: Any) -> int | None:
    from jax.extend.core import Literal

    if len(eqn.invars) > 1 and isinstance(eqn.invars[1], Literal):
        try:
            return int(eqn.invars[1].val)
        except Exception:  # noqa: BLE001
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
def _consuming(use: dict) -> bool:
    return use["kind"] in ("draw", "split") or (use["kind"] == "fold_in" and use["dup"])


def _times(node: dict) -> tuple[int, bool]:
    """How many times a key is consumed (branches of one cond count once), and in a loop?"""
    plain = 0
    per_branch: dict[str, dict[int, int]] = {}
    in_loop = False
    for u in node["uses"]:
        if not _consuming(u):
            continue
        in_loop = in_loop or u["loop"]
        br = u["branch"]
        if br is None or br == node["branch"]:
            plain += 1
        else:
            per_branch.setdefault(br[0], {}).setdefault(br[1], 0)
            per_branch[br[0]][br[1]] += 1
    total = plain + sum(max(b.values()) for b in per_branch.values())
    return total, in_loop


def _use_words(u: dict) -> str:
    at = f" at {u['source']}" if u["source"] else ""
    loop = " inside a loop" if u["loop"] else ""
    if u["kind"] == "draw":
        return f"by {u['sampler']}{at}{loop}"
    if u["kind"] == "split":
        return f"by split{at}{loop}"
    return f"by fold_in with {u['data']} again{at}{loop}"


def _explain(node: dict) -> str:
    name = node["name"]
    uses = [u for u in node["uses"] if _consuming(u)]
    fn_name = name if name.isidentifier() else "k"
    words = " and ".join(_use_words(u) for u in uses)
    if any(u["kind"] == "fold_in" for u in uses):
        why = (
            "folding the same data into the same key gives the same key twice, so the draws "
            "made from both are identical. Fold in distinct data (a loop index, a step number)"
        )
        return f"key `{name}` was used {words}: {why}."
    if any(u["loop"] for u in uses):
        return (
            f"key `{name}` was used {words}: the key was made outside the loop, so every "
            "iteration consumes the same key and draws the same numbers. Split it inside the "
            f"loop (key, sub = jax.random.split(key), carrying key), or fold in the index: "
            f"jax.random.fold_in({fn_name}, i)."
        )
    draws = [u for u in uses if u["kind"] == "draw"]
    if len(draws) == len(uses):
        what = "the draws are correlated (they use the identical random bits)"
    elif draws:
        what = "its subkeys are not independent of the numbers drawn from it"
    else:
        what = "both splits give the same subkeys, so their draws repeat"
    n = len(uses)
    subs = ", ".join(f"k{i + 1}" for i in range(n))
    return (
        f"key `{name}` was used {words}: {what}. A key must be consumed once. Split it first: "
        f"{subs} = jax.random.split({fn_name}{'' if n == 2 else f', {n}'}) and give each use "
        "its own key."
    )


def finish(walker: _Walker, name: str, outputs: list[_Ref]) -> dict[str, Any]:
    """Plain data from a walk: nodes, roots, counts and the reused keys, explained."""
    nodes = walker.nodes
    for r in outputs:
        for n in walker.singles(r) if r.indices is not None else [r.node]:
            nodes[n]["returned"] = True
    reused = []
    for node in nodes:
        times, in_loop = _times(node)
        node["times"] = times
        if times > 1 or (times == 1 and in_loop):
            node["reused"] = True
            node["explanation"] = _explain(node)
            reused.append(node["id"])
        node["items"].sort(key=lambda it: it["seq"])
        if "elements" in node:
            node["children"] = [node["elements"][i] for i in sorted(node["elements"])]
            del node["elements"]
        for u in node["uses"]:
            u.pop("ident", None)
            u["branch"] = list(u["branch"]) if u["branch"] else None
        node["branch"] = list(node["branch"]) if node["branch"] else None
    draws = sum(1 for n in nodes for u in n["uses"] if u["kind"] == "draw")
    return {
        "name": name,
        "nodes": nodes,
        "roots": [i for i, n in enumerate(nodes) if n["parent"] is None],
        "n_keys": sum(1 for n in nodes if n["kind"] != "split"),
        "n_draws": draws,
        "reused": reused,
        "concept": CONCEPT,
    }


def key_tree_model(closed: Any, name: str = "", arg_names: list[str] | None = None) -> dict:
    """Plain data for the key lineage in a ``ClosedJaxpr``."""
    import numpy as np

    jx = closed.jaxpr
    walker = _Walker()
    env: dict = {}
    for v, c in zip(jx.constvars, closed.consts, strict=False):
        if _is_key(v.aval):
            node = walker.node("captured key", "captured", aval_str(v.aval), None, None)
            try:
                import jax

                data = np.asarray(jax.random.key_data(c))
                walker.nodes[node]["value"] = " ".join(
                    np.array2string(data, separator=" ", threshold=8).split()
                )
            except Exception:  # noqa: BLE001
                pass
            env[v] = _Ref(node)
    names = arg_names or []
    for i, v in enumerate(jx.invars):
        label = names[i] if i < len(names) else f"input {i}"
        if _is_key(v.aval):
            node = walker.node(label, "input", aval_str(v.aval), None, None)
            shape = tuple(v.aval.shape)
            indices = tuple(range(shape[0])) if len(shape) == 1 else None
            if indices is not None:
                walker.nodes[node]["kind"] = "split"
                walker.nodes[node]["root_batch"] = True
                walker.nodes[node]["shape"] = list(shape)
                if shape[0] <= EAGER_ELEMENTS:
                    for j in indices:
                        walker.element(node, j)
            env[v] = _Ref(node, indices)
        else:
            walker.input_names[v] = label
    walker.walk(jx, env)
    outputs = [env[o] for o in jx.outvars if walker.ref_of(env, o) is not None]
    return finish(walker, name, outputs)


def single_key_model(key: Any) -> dict[str, Any]:
    """Plain data for one key array (no function): its type, shape and raw data."""
    import jax
    import numpy as np

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
    params = _param_names(fn, len(args))
    positions = list(range(len(args)))
    _check_leaves(args, kwargs, positions, params)
    try:
        closed = jax.make_jaxpr(fn)(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the learner's function failed: explain it
        return error_panel("Could not trace fn", exc, fn)
    names = _leaf_names(args, kwargs, positions, params)
    return KeyTreeView(key_tree_model(closed, name=fn_name(fn), arg_names=names))


# --------------------------------------------------------------------------------------------
# renderers
# --------------------------------------------------------------------------------------------
def _node_label(node: dict) -> str:
    kind = node["kind"]
    if kind == "split" and not node.get("root_batch"):
        n = "×".join(map(str, node.get("shape", []))) or "?"
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
        node["kind"] in ("subkey", "fold_in", "seed", "input", "each", "carry")
        and not node["items"]
        and not node.get("children")
        and not node["uses"]
        and not node.get("returned")
        and not node.get("value")
    )


def _draw_label(use: dict) -> str:
    extra = " (every loop iteration)" if use["loop"] else ""
    if use.get("branch"):
        extra += f" (cond branch {use['branch'][1]})"
    return f"● {use['sampler']} → {use['aval']}{extra}"


def _flag(node: dict) -> str:
    uses = [u for u in node["uses"] if _consuming(u)]
    if node["times"] == 1 and any(u["loop"] for u in uses):
        return "REUSED in every loop iteration"
    return f"REUSED ×{node['times']}"


def _children(model: dict, node: dict) -> list[tuple[str, Any]]:
    """``("node", index)`` / ``("draw", use)`` entries under a node, in program order."""
    out: list[tuple[str, Any]] = [("node", i) for i in node.get("children", [])]
    for it in node["items"]:
        if it["type"] == "child":
            out.append(("node", it["node"]))
        else:
            out.append(("draw", node["uses"][it["use"]]))
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
