"""The linked chain of ``js.hlo``: each source line's jaxpr equations, StableHLO ops and fusions.

JAX records where every equation came from, and carries it down: the jaxpr's ``source_info``, the
StableHLO's ``loc(...)`` attributes (``as_text(debug_info=True)``) and the compiled HLO's
``metadata={op_name=... stack_frame_id=...}``. All three name the innermost frame of the caller's
code and the name stack (``jit(f)/Block_0/dense/dot_general``), so a *link* is the pair (user
scope, source line) found at every level. The user scope is the name stack with what JAX adds
itself removed (``jit(...)``, transform wrappers such as ``transpose(jvp(...))``, and the parts
lowering inserts: ``while/body``, ``checkpoint``, ``closed_call``...): only the scopes the jaxpr
itself names are kept, so the three levels agree.

:func:`chain_model` returns one row per link, in program order::

    {"where": "f.py:3 (f)", "code": "h = x @ w", "scope": "Block_0",
     "eqns": [("dot_general", "f32[4,16]"), ...],   # jaxpr equations (nested ones too)
     "stablehlo": [7, 8],                           # 1-based lines of the StableHLO listing
     "compiled": ["dot_fusion", "add.3"]}           # compiled HLO instructions (fusions or not)

An op whose own location names no line (the body of a private StableHLO function such as
``@relu``) belongs to the rows of the calls to that function.
"""

from __future__ import annotations

import re
from typing import Any

from ._explain import short_path

_TRANSFORM = re.compile(r"^[\w.]+\((.*)\)$")  # jvp(x), transpose(jvp(x)), vmap(x), jit(f)
_LOWERING_PARTS = frozenset(
    "while body cond checkpoint remat rematted_computation closed_call core_call pjit "
    "custom_jvp_call custom_vjp_call scan".split()
)


def _scope_parts(stack: str, with_op: bool) -> list[str]:
    """The name parts of a name stack (``jit(f)/transpose(jvp(Block_0))/dot``), unwrapped."""
    parts = [p for p in stack.split("/") if p]
    if with_op and parts:
        parts = parts[:-1]
    out = []
    for part in parts:
        if part.startswith("jit("):
            continue
        inner = _TRANSFORM.match(part)
        while inner:
            part = inner.group(1)
            inner = _TRANSFORM.match(part)
        if part and part not in _LOWERING_PARTS and not part.startswith("branch_"):
            out.append(part)
    return out


# --- the jaxpr -------------------------------------------------------------------------------
def _aval_text(var: Any) -> str:
    aval = getattr(var, "aval", None)
    try:
        return aval.str_short(short_dtypes=True)
    except Exception:  # noqa: BLE001 - an exotic aval: its plain text will do
        return str(aval)


def jaxpr_links(closed_jaxpr: Any) -> list[dict[str, Any]]:
    """Every equation of a jaxpr and its sub-jaxprs with its link:
    ``{"file", "line", "func", "code", "scope": [parts], "prim", "shape"}`` in program order."""
    from jax.extend.core import jaxprs_in_params

    from ._jaxpr_view import source_of, user_frames

    out: list[dict[str, Any]] = []
    sources: dict[int, tuple] = {}

    def walk(jaxpr: Any, outer: list[str]) -> None:
        for eqn in jaxpr.eqns:
            parts = outer + _scope_parts(str(eqn.source_info.name_stack), with_op=False)
            tb = getattr(eqn.source_info, "traceback", None)
            if id(tb) not in sources:
                frames = user_frames(eqn)
                src = source_of(eqn, frames)
                sources[id(tb)] = (tb, frames[0] if frames else None, src)
            _, frame, src = sources[id(tb)]
            shape = ", ".join(_aval_text(v) for v in eqn.outvars)
            if frame is not None:
                out.append(
                    {
                        "file": frame.file_name,
                        "line": frame.start_line,
                        "func": frame.function_name,
                        "code": src["code"] if src else "",
                        "scope": parts,
                        "prim": eqn.primitive.name,
                        "shape": shape,
                    }
                )
            for sub in jaxprs_in_params(eqn.params):
                walk(sub, parts)

    walk(closed_jaxpr.jaxpr, [])
    return out


# --- StableHLO ---------------------------------------------------------------------------------
_LOC_DEF = re.compile(r"^#(loc\d*) = loc\((.*)\)$")
_LOC_FILE = re.compile(r'^"((?:[^"\\]|\\.)*)":(\d+)(?::\d+)?')
_LOC_NAMED = re.compile(r'^"((?:[^"\\]|\\.)*)"\((.*)\)$')
_LOC_CALLSITE = re.compile(r"^callsite\((#loc\d*) at (#loc\d*)\)$")
_LOC_REF = re.compile(r"^(#loc\d*)$")
_OP_LOC = re.compile(r"loc\((#loc\d*)\)\s*$")
_PLUMBING = frozenset({"tuple", "get-tuple-element"})
_OP_START = re.compile(
    r'^\s*(%[\w#:]+(, %[\w#:]+)* = |"?stablehlo\.|"?func\.call\b|call\b|return\b)'
)
_FUNC = re.compile(r"^\s*func\.func\s+(?:public\s+|private\s+)?@([\w.$\-]+)\(")
_CALL = re.compile(r"\b(?:func\.)?call\s+@([\w.$\-]+)\(")


def _resolver(defs: dict[str, str]):
    """``#locN`` -> (op name or "", (file, line, func) or None), following named and call-site
    locations to the innermost file location."""
    memo: dict[str, tuple[str, tuple | None]] = {}

    def resolve(body: str, depth: int = 0) -> tuple[str, tuple | None]:
        if depth > 50:
            return "", None
        ref = _LOC_REF.match(body)
        if ref:
            key = ref.group(1)
            if key not in memo:
                memo[key] = ("", None)  # cycle guard
                memo[key] = resolve(defs.get(key, "unknown"), depth + 1)
            return memo[key]
        named = _LOC_NAMED.match(body)
        if named:
            name, inner = named.group(1), named.group(2)
            _, where = resolve(inner, depth + 1)
            fileloc = _LOC_FILE.match(inner)
            if fileloc:  # "func"("file":3:8): the function name of that frame
                where = (fileloc.group(1), int(fileloc.group(2)), name)
            elif where is not None and where[2] == "" and not name.startswith("jit("):
                where = (where[0], where[1], name)
            return name, where  # the outermost name is the op's (``jit(f)/scope/prim``)
        site = _LOC_CALLSITE.match(body)
        if site:  # callee at caller: the callee is the innermost frame
            op, where = resolve(site.group(1), depth + 1)
            if where is None:
                _, where = resolve(site.group(2), depth + 1)
            return op, where
        fileloc = _LOC_FILE.match(body)
        if fileloc:
            return "", (fileloc.group(1), int(fileloc.group(2)), "")
        return "", None

    return resolve


def stablehlo_links(debug_text: str) -> list[tuple[int, str, tuple | None, str]]:
    """For each op line of a StableHLO module printed with ``debug_info=True``:
    (1-based line in the listing without ``#loc`` lines, op name, (file, line, func) or None,
    the private function it calls or "")."""
    lines = debug_text.splitlines()
    defs = {}
    for ln in lines:
        m = _LOC_DEF.match(ln)
        if m:
            defs["#" + m.group(1)] = m.group(2)
    resolve = _resolver(defs)
    out = []
    listed = [ln for ln in lines if not ln.startswith("#loc")]
    for number, ln in enumerate(listed, start=1):
        loc = _OP_LOC.search(ln)
        if not loc:
            continue
        owner = number
        if ln.lstrip().startswith("}"):
            # ``} loc(#locN)`` closes the regions of a multi-line op (``while``, ``scatter``,
            # ``case``): the location is that op's, on the nearest op line as far indented
            indent = len(ln) - len(ln.lstrip())
            owner = next(
                (
                    n
                    for n in range(number - 1, 0, -1)
                    if _OP_START.match(listed[n - 1])
                    and len(listed[n - 1]) - len(listed[n - 1].lstrip()) == indent
                ),
                0,
            )
            if not owner:
                continue
        elif not _OP_START.match(ln):
            continue
        op, where = resolve(loc.group(1))
        call = _CALL.search(listed[owner - 1])
        out.append((owner, op, where, call.group(1) if call else ""))
    return out


def _function_of_lines(listing: list[str]) -> dict[int, str]:
    """1-based line -> the ``func.func`` it lies in."""
    out, current = {}, ""
    for number, ln in enumerate(listing, start=1):
        m = _FUNC.match(ln)
        if m:
            current = m.group(1)
        out[number] = current
    return out


_CONSTANT = re.compile(r"^\s*(%[\w.$\-]+) = stablehlo\.constant\b")
_VALUE = re.compile(r"%[\w.$\-]+")


def _constants_join_their_users(rows: dict, listing: list[str], func_of: dict[int, str]) -> None:
    """A constant with no line of fn's own (a Python literal; a closed-over weight, which points
    at the caller) joins the rows of the ops that use it."""
    keys_at: dict[int, list[tuple]] = {}  # line -> the rows holding it
    for key, r in rows.items():
        for n in r["stablehlo"]:
            keys_at.setdefault(n, []).append(key)
    constants = {}
    for number, ln in enumerate(listing, start=1):
        m = _CONSTANT.match(ln)
        if m and number not in keys_at:
            constants[(func_of.get(number, ""), m.group(1))] = number
    if not constants:
        return
    for number, ln in enumerate(listing, start=1):
        if number not in keys_at or " = " not in ln:
            continue
        func = func_of.get(number, "")
        for value in set(_VALUE.findall(ln.split(" = ", 1)[1])):
            constant = constants.get((func, value))
            if constant is None:
                continue
            for key in keys_at[number]:
                if constant not in rows[key]["stablehlo"]:
                    rows[key]["stablehlo"].append(constant)


# --- the chain ---------------------------------------------------------------------------------
def _key(scope: list[str], file: str, line: int) -> tuple:
    return ("/".join(scope), file, line)


def _user_scope(parts: list[str], known: set[str]) -> list[str]:
    return [p for p in parts if p in known]


def chain_model(
    closed_jaxpr: Any,
    stablehlo_debug: str,
    comps: dict[str, dict[str, Any]],
    files: dict[int, tuple[str, int, str]],
) -> list[dict[str, Any]]:
    """The rows of the linked chain (see the module docstring), from the jaxpr, the StableHLO
    printed with ``debug_info=True``, and the compiled HLO (with its metadata) parsed into its
    computations and its stack frames (``_hlo_view.parse_computations`` and ``frame_files``)."""
    eqns = jaxpr_links(closed_jaxpr)
    known = {p for e in eqns for p in e["scope"]}
    rows: dict[tuple, dict[str, Any]] = {}
    by_line: dict[tuple, list[tuple]] = {}  # (file, line) -> the keys of its rows

    def fallback(key: tuple) -> tuple:
        """An op whose scope the jaxpr does not name joins its line's one row, if it has one."""
        if key in rows:
            return key
        same_line = by_line.get(key[1:], [])
        return same_line[0] if len(same_line) == 1 else key

    def row(scope: list[str], file: str, line: int, func: str, code: str = "") -> dict:
        key = _key(scope, file, line)
        if key not in rows:
            by_line.setdefault(key[1:], []).append(key)
            rows[key] = {
                "where": f"{short_path(file)}:{line} ({func or '?'})",
                "code": code,
                "scope": "/".join(scope),
                "eqns": [],
                "stablehlo": [],
                "compiled": [],
            }
        return rows[key]

    for e in eqns:
        row(e["scope"], e["file"], e["line"], e["func"], e["code"])["eqns"].append(
            (e["prim"], e["shape"])
        )

    # StableHLO: ops with a line join their row; ops of a private function without one join
    # the rows of the calls to it
    ops = stablehlo_links(stablehlo_debug)
    listing = [ln for ln in stablehlo_debug.splitlines() if not ln.startswith("#loc")]
    func_of = _function_of_lines(listing)
    callers: dict[str, list[tuple]] = {}
    unplaced: list[int] = []
    calls_of: dict[int, str] = {}  # unplaced lines that call a private function
    for number, op, where, call in ops:
        key = None
        if where is not None:
            file, line, _ = where
            key = fallback(_key(_user_scope(_scope_parts(op, with_op=True), known), file, line))
        if key not in rows:
            # no line of fn's: the caller of fn (``return``, closed-over weights), or the body of
            # a jitted helper that JAX traced once elsewhere and keeps in its cache with that
            # first caller's lines: it belongs where it is called from
            unplaced.append(number)
            if call:
                calls_of[number] = call
            continue
        rows[key]["stablehlo"].append(number)
        if call:
            callers.setdefault(call, []).append(key)
    for _ in range(len(callers) + len(calls_of)):  # a call from inside a private function
        grown = False  # passes on the rows of that function's callers
        for number, call in calls_of.items():
            for key in callers.get(func_of.get(number, ""), []):
                if key not in callers.setdefault(call, []):
                    callers[call].append(key)
                    grown = True
        if not grown:
            break
    for number in unplaced:
        for key in callers.get(func_of.get(number, ""), []):
            if number not in rows[key]["stablehlo"]:
                rows[key]["stablehlo"].append(number)
    _constants_join_their_users(rows, listing, func_of)

    # compiled HLO: each instruction of the program (a fusion, or an op XLA left unfused)
    # joins the rows of what it holds
    inner = {
        m.group(1)
        for comp in comps.values()
        for _, _, rest in comp["instructions"]
        for m in re.finditer(r"\b(?:calls|to_apply)=%?([\w.\-]+)", rest)
    }
    called = {  # the computation of a kCall is the caller's own code, not a fused one
        m.group(1)
        for comp in comps.values()
        for _, opcode, rest in comp["instructions"]
        if opcode == "call"
        for m in re.finditer(r"\bto_apply=%?([\w.\-]+)", rest)
    }
    keys_of: dict[str, list[tuple]] = {}  # instruction -> the rows it joins, in order
    flow: list[tuple[str, list[str]]] = []  # (instruction, its operands), for those lineless
    comp_of: dict[str, str] = {}  # instruction -> its computation
    plumbing: set[str] = set()  # tuples and their elements: they pass rows on, never listed
    for comp_name, comp in comps.items():
        if comp_name in inner and comp_name not in called:
            continue
        names = {name for name, _, _ in comp["instructions"]}
        for name, opcode, rest in comp["instructions"]:
            if opcode in ("parameter", "constant", ""):
                continue
            if opcode in _PLUMBING:
                plumbing.add(name)
            calls = re.search(r"\bcalls=%?([\w.\-]+)", rest) if opcode == "fusion" else None
            fused = comps.get(calls.group(1), {}).get("instructions", []) if calls else []
            keys = keys_of.setdefault(name, [])
            comp_of[name] = comp_name
            for _, _, text in [*fused, (name, opcode, rest)]:
                frame = re.search(r"stack_frame_id=(\d+)", text)
                op = re.search(r'op_name="([^"]*)"', text)
                if not frame or int(frame.group(1)) not in files:
                    continue
                file, line, _ = files[int(frame.group(1))]
                parts = _scope_parts(op.group(1), with_op=True) if op else []
                key = fallback(_key(_user_scope(parts, known), file, line))
                if key in rows and key not in keys:
                    keys.append(key)
            operands = re.findall(r"%([\w.\-]+)", rest[rest.find("(") :].split("),")[0])
            flow.append((name, [o for o in operands if o in names]))
    # what XLA adds itself (a layout copy, a broadcast of a constant) has no source: it joins
    # the rows of the instructions it feeds, or failing that of those that feed it
    for _ in range(len(flow)):
        grown = False
        for name, operands in flow:
            for o in operands:
                if keys_of.get(o) == [] and keys_of[name]:
                    keys_of[o] = list(keys_of[name])
                    grown = True
        if not grown:
            break
    # inside a loop body or a called computation, it takes the rows of the loop or the call
    owner_of = {
        m.group(1): name
        for comp in comps.values()
        for name, opcode, rest in comp["instructions"]
        if opcode in ("call", "while", "conditional")
        for m in re.finditer(
            r"\b(?:to_apply|body|condition|true_computation|false_computation)=%?([\w.\-]+)", rest
        )
    }
    for _ in range(3):  # loops within loops
        for name, comp_name in comp_of.items():
            owner = owner_of.get(comp_name)
            if not keys_of.get(name) and owner and keys_of.get(owner):
                keys_of[name] = list(keys_of[owner])
    for name, operands in flow:
        if not keys_of[name]:
            keys_of[name] = [k for o in operands for k in keys_of.get(o, [])]
    for name, keys in keys_of.items():
        for key in dict.fromkeys(keys) if name not in plumbing else ():
            if name not in rows[key]["compiled"]:
                rows[key]["compiled"].append(name)
    for r in rows.values():
        r["stablehlo"].sort()
    return list(rows.values())
