"""What XLA makes of a function: lowered StableHLO, compiled HLO, fusions, cost and intensity.

``hlo(fn, *args)`` lowers ``jax.jit(fn)`` for the given arguments, compiles it, and returns an
:class:`HloView`. The compiled HLO is cleaned so that text and HTML are the same in every fresh
process: ``metadata={...}`` attributes (op names, source files, line numbers, stack frames) and the
``FileNames`` / ``FunctionNames`` / ``FileLocations`` / ``StackFrames`` tables are removed.
Large constants (closed-over weights) are elided in the StableHLO, as XLA already does in the
compiled HLO (``constant({...})``): a comment gives their shape, dtype, bytes and first values.
Instruction names (``%add.0``) are XLA's own and are stable for the same program.

Arithmetic intensity is flops per byte accessed, as estimated by XLA's ``cost_analysis``. Below
:data:`INTENSITY_THRESHOLD` flops/byte the view calls the program *memory-bound*: a processor can
do tens to hundreds of flops in the time it takes to move one byte, so a program doing fewer spends
its time moving data. Above it the program is *likely compute-bound*. It is a rough rule of thumb,
not a measurement (the true ridge point depends on the device and dtype). Each fusion gets its
own flops and bytes, counted from the compiled HLO the way XLA counts them, so a slow program's
costly fusion can be found; the fusions of a program add up to XLA's total.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ._binding import bind
from ._consts import elide_stablehlo_constants, nbytes_text
from ._errors import ErrorPanel, error_panel, fn_name, jittable, require_callable
from ._view import View, esc

INTENSITY_THRESHOLD = 10.0  # flops per byte: the rough ridge point used to name the bound
HTML_OPEN_LINES = 60  # listings up to this long start unfolded in HTML
HTML_MAX_LINES = 2000  # longer listings are cut in HTML (the text keeps them whole)

_DEBUG_TABLES = ("FileNames", "FunctionNames", "FileLocations", "StackFrames")


# --- cleaning ---------------------------------------------------------------------------------
def _strip_attribute(line: str, name: str) -> str:
    """Remove every ``, name={...}`` from an HLO line (braces balanced, quoted text skipped)."""
    key = f"{name}={{"
    while True:
        start = line.find(key)
        if start < 0:
            return line
        i = start + len(key)
        depth, in_str = 1, False
        while i < len(line) and depth:
            ch = line[i]
            if in_str:
                if ch == "\\":
                    i += 1
                elif ch == '"':
                    in_str = False
            elif ch == '"':
                in_str = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            i += 1
        cut = start
        if line[:cut].endswith(", "):
            cut -= 2
        elif line[:cut].endswith(" "):
            cut -= 1
        line = line[:cut] + line[i:]


def clean_hlo(text: str) -> str:
    """Compiled HLO without source metadata and debug tables (deterministic across processes)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped in _DEBUG_TABLES:
            skipping = True
            continue
        if skipping:
            if not stripped or re.match(r"^\d+ ", stripped):
                continue
            skipping = False
        line = _strip_attribute(line, "metadata")
        out.append(line.rstrip())
    # collapse the blank lines left behind by the removed tables
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def clean_stablehlo(text: str) -> str:
    """StableHLO text without location info (``loc(...)``) and trailing blanks, its large
    constants elided (shape, dtype, bytes and first values in a comment)."""
    lines = [ln.rstrip() for ln in text.splitlines() if not ln.startswith("#loc")]
    text = "\n".join(lines)
    text = re.sub(r" loc\(#loc\d*\)", "", text)
    return elide_stablehlo_constants(text.strip()) + "\n"


# --- parsing the compiled HLO -------------------------------------------------------------------
_COMP_HEAD = re.compile(r"^(ENTRY\s+)?%?([\w.\-]+)\s*\((.*)\)\s*->\s*(.*)\{\s*$")
_INSTR = re.compile(r"^\s*(ROOT\s+)?%?([\w.\-]+)\s*=\s*(.*)$")


def _shape_end(rest: str) -> int:
    """Where the shape at the start of ``rest`` ends (tuple shapes may nest)."""
    if rest.startswith("("):
        depth = 0
        for i, ch in enumerate(rest):
            depth += (ch == "(") - (ch == ")")
            if depth == 0:
                return i + 1
        return len(rest)
    end = rest.find(" ")
    return len(rest) if end < 0 else end


def _opcode(rest: str) -> str:
    """The opcode of an instruction, given the text after ``name =`` (skips the shape)."""
    match = re.match(r"\s*([a-z][\w\-]*)\(", rest[_shape_end(rest) :])
    return match.group(1) if match else ""


def parse_computations(text: str) -> dict[str, dict[str, Any]]:
    """HLO computations: name -> {"entry": bool, "params": text, "result": text,
    "instructions": [(name, opcode, rest), ...]}."""
    comps: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        if current is None:
            head = _COMP_HEAD.match(line)
            if head:
                current = {
                    "entry": bool(head.group(1)),
                    "params": head.group(3),
                    "result": head.group(4).strip(),
                    "instructions": [],
                }
                comps[head.group(2)] = current
            continue
        if line.strip() == "}":
            current = None
            continue
        instr = _INSTR.match(line)
        if instr:
            rest = instr.group(3)
            current["instructions"].append((instr.group(2), _opcode(rest), rest))
    return comps


def _shape(rest: str) -> str:
    """The shape of an instruction without its layout: ``f32[4,3]{1,0}`` -> ``f32[4,3]``."""
    return re.sub(r"\{[^{}]*\}", "", rest[: _shape_end(rest)])


def _count_ops(ops: list[str]) -> list[tuple[str, int]]:
    order: list[str] = []
    counts: dict[str, int] = {}
    for op in ops:
        if op not in counts:
            order.append(op)
            counts[op] = 0
        counts[op] += 1
    return [(op, counts[op]) for op in order]


def find_fusions(text: str) -> list[dict[str, Any]]:
    """Every ``fusion`` instruction: its name, kind, shape, called computation, fused ops and
    cost (:func:`fusion_cost`)."""
    comps = parse_computations(text)
    fusions = []
    for comp_name, comp in comps.items():
        for name, opcode, rest in comp["instructions"]:
            if opcode != "fusion":
                continue
            kind = re.search(r"\bkind=(\w+)", rest)
            calls = re.search(r"\bcalls=%?([\w.\-]+)", rest)
            custom = re.search(r'"kind"\s*:\s*"([^"]+)"', rest)
            called = calls.group(1) if calls else ""
            ops = [
                op
                for _, op, _ in comps.get(called, {}).get("instructions", [])
                if op and op != "parameter"
            ]
            fusions.append(
                {
                    "name": name,
                    "kind": kind.group(1) if kind else "?",
                    "detail": custom.group(1) if custom else "",
                    "shape": _shape(rest),
                    "computation": called,
                    "in": comp_name,
                    "ops": _count_ops(ops),
                    "cost": fusion_cost(comps.get(called)),
                }
            )
    return fusions


# --- the cost of one fusion ----------------------------------------------------------------------
# Counted as XLA's cost analysis counts them, so the fusions of a program add up to its total:
# a fusion reads its parameters and writes its result once; an elementwise op is a flop per
# element (a transcendental one counts apart); a dot is 2 flops per multiply-add; a reduce (or
# reduce-window) is a flop per element it folds in. Moving data (broadcast, slice...) is free.
_DTYPE_BYTES = {"pred": 1, "bf16": 2, "f16": 2, "c64": 8, "c128": 16}
_ARRAY = re.compile(r"\b(pred|bf16|[fsuc]\d+|f8\w*)\[([\d,]*)\]")
_TRANSCENDENTAL = frozenset(
    "exponential exponential-minus-one log log-plus-one tanh logistic sine cosine tan sqrt rsqrt "
    "cbrt power atan2 erf".split()
)
_ELEMENTWISE = frozenset(
    "add subtract multiply divide remainder maximum minimum negate abs sign floor ceil "
    "round-nearest-afz round-nearest-even compare select clamp and or xor not "
    "shift-left shift-right-arithmetic shift-right-logical is-finite convert".split()
)


def _arrays(shape_text: str) -> list[tuple[int, int]]:
    """(elements, bytes per element) of every array in a shape text (``(f32[4], s32[])``)."""
    out = []
    for dtype, dims in _ARRAY.findall(shape_text):
        n = math.prod(int(d) for d in filter(None, dims.split(",")))
        bits = re.match(r"[a-z]+(\d+)", dtype)
        width = _DTYPE_BYTES.get(dtype) or max(1, int(bits.group(1) if bits else 8) // 8)
        out.append((n, width))
    return out


def _elements(shape_text: str) -> int:
    return sum(n for n, _ in _arrays(shape_text))


def fusion_cost(comp: dict[str, Any] | None) -> dict[str, float]:
    """Flops, transcendentals and bytes accessed of one fused computation (see above)."""
    if not comp:
        return {}
    shapes = {name: rest[: _shape_end(rest)] for name, _, rest in comp["instructions"]}
    flops = transcendentals = 0
    for name, opcode, rest in comp["instructions"]:
        out = _elements(shapes[name])
        operands = re.findall(r"%([\w.\-]+)", rest[len(shapes[name]) :].split("),")[0])
        if opcode in _TRANSCENDENTAL:
            transcendentals += out
        elif opcode in _ELEMENTWISE:
            flops += out
        elif opcode == "dot" and operands:
            lhs = _ARRAY.search(shapes.get(operands[0], ""))
            dims = [int(d) for d in filter(None, lhs.group(2).split(","))] if lhs else []
            contracting = re.search(r"lhs_contracting_dims=\{([\d,]*)\}", rest)
            picked = filter(None, (contracting.group(1) if contracting else "").split(","))
            k = math.prod(dims[int(i)] if int(i) < len(dims) else 1 for i in picked)
            flops += 2 * out * k
        elif opcode == "reduce" and operands:
            half = max(1, len(operands) // 2)  # (inputs..., init values...)
            flops += sum(_elements(shapes.get(o, "")) for o in operands[:half]) - out
        elif opcode == "reduce-window":
            window = re.search(r"\bsize=([\dx]+)", rest)
            size = math.prod(int(d) for d in (window.group(1) if window else "1").split("x"))
            flops += out * (size - 1)
    nbytes = sum(n * w for n, w in _arrays(comp["params"]) + _arrays(comp["result"]))
    return {"flops": float(flops), "transcendentals": float(transcendentals), "bytes": nbytes}


def fusion_cost_text(cost: dict[str, float]) -> str:
    """``1,024 flops, 896 B (1.1 flops/B)``: a fusion's cost in a few words."""
    if not cost:
        return ""
    parts = [f"{_num(cost['flops'])} flops"]
    if cost.get("transcendentals"):
        parts.append(f"{_num(cost['transcendentals'])} transc.")
    parts.append(nbytes_text(int(cost["bytes"])))
    if cost["bytes"]:
        parts.append(f"{cost['flops'] / cost['bytes']:.2g} flops/B")
    return ", ".join(parts)


_TABLE_ROW = re.compile(r"^(\d+) (.*)$")


def _debug_tables(text: str) -> dict[str, dict[int, str]]:
    """The compiled HLO's ``FileNames`` ... ``StackFrames`` tables: name -> {id: row}."""
    tables: dict[str, dict[int, str]] = {}
    current: dict[int, str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped in _DEBUG_TABLES:
            current = tables.setdefault(stripped, {})
            continue
        row = _TABLE_ROW.match(stripped) if current is not None else None
        if row:
            current[int(row.group(1))] = row.group(2)
        elif stripped:
            current = None
    return tables


def frame_files(text: str) -> dict[int, tuple[str, int, str]]:
    """``stack_frame_id`` -> (file, line, function): where each stack frame of the HLO points."""
    t = _debug_tables(text)
    files = {k: v.strip('"') for k, v in t.get("FileNames", {}).items()}
    funcs = {k: v.strip('"') for k, v in t.get("FunctionNames", {}).items()}
    locs = {}
    for k, v in t.get("FileLocations", {}).items():
        f = re.search(r"file_name_id=(\d+)", v)
        fn = re.search(r"function_name_id=(\d+)", v)
        ln = re.search(r"\bline=(\d+)", v)
        if f and ln:
            name = funcs.get(int(fn.group(1)), "?") if fn else "?"
            locs[k] = (files.get(int(f.group(1)), "?"), int(ln.group(1)), name)
    out = {}
    for k, v in t.get("StackFrames", {}).items():
        loc = re.search(r"file_location_id=(\d+)", v)
        if loc and int(loc.group(1)) in locs:
            out[k] = locs[int(loc.group(1))]
    return out


def fusion_origins(
    comps: dict[str, dict[str, Any]], files: dict[int, tuple[str, int, str]]
) -> dict[str, dict[str, list[str]]]:
    """For each fusion of the raw compiled HLO (metadata kept), parsed into its computations and
    stack frames: the source lines and the name-stack scopes (``Res_0/Conv_0``) of the
    instructions fused into it."""
    from ._explain import short_path

    sources = {k: f"{short_path(f)}:{ln} ({fn})" for k, (f, ln, fn) in files.items()}
    out: dict[str, dict[str, list[str]]] = {}
    for comp in comps.values():
        for name, opcode, rest in comp["instructions"]:
            if opcode != "fusion":
                continue
            calls = re.search(r"\bcalls=%?([\w.\-]+)", rest)
            fused = comps.get(calls.group(1), {}).get("instructions", []) if calls else []
            lines: dict[str, None] = {}
            scopes: dict[str, None] = {}
            for _, _, text in [*fused, (name, opcode, rest)]:
                frame = re.search(r"stack_frame_id=(\d+)", text)
                if frame and int(frame.group(1)) in sources:
                    lines[sources[int(frame.group(1))]] = None
                op = re.search(r'op_name="([^"]*)"', text)
                if op and "/" in op.group(1):
                    parts = [p for p in op.group(1).split("/")[1:-1] if not p.startswith("jit(")]
                    if parts:
                        scopes["/".join(parts)] = None
            out[name] = {"sources": list(lines), "scopes": list(scopes)}
    return out


def _ranges(numbers: list[int]) -> list[tuple[int, int]]:
    """``[3, 4, 5, 9]`` -> ``[(3, 5), (9, 9)]``."""
    out: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def _ranges_text(numbers: list[int]) -> str:
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in _ranges(numbers))


def _few(items: list[str], shown: int) -> str:
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" +{more}" if more > 0 else "")


def _eqns_text(eqns: list[tuple[str, str]]) -> str:
    """``dot_general, add×2``: the primitives of a chain row's equations."""
    return _ops_text(_count_ops([prim for prim, _ in eqns]))


CHAIN_SHOWN = 6  # compiled instructions named per chain row before "+N"


def _ops_text(ops: list[tuple[str, int]]) -> str:
    return ", ".join(op if n == 1 else f"{op}×{n}" for op, n in ops) or "(none)"


def _origin_text(f: dict[str, Any], shown: int = 3) -> str:
    """``Res_0/Conv_0; f.py:3 (f), f.py:4 (f) +2``: where a fusion's instructions came from."""
    parts = [_few(f.get("scopes", []), shown), _few(f.get("sources", []), shown)]
    return "; ".join(p for p in parts if p)


# --- cost --------------------------------------------------------------------------------------
def normalise_cost(raw: Any) -> dict[str, float]:
    """``cost_analysis()`` output (a dict, a list of dicts, or None) -> the main figures."""
    if isinstance(raw, (list, tuple)):
        raw = raw[0] if raw else None
    if not isinstance(raw, dict):
        return {}
    cost: dict[str, float] = {}
    for key, name in (
        ("flops", "flops"),
        ("bytes accessed", "bytes_accessed"),
        ("transcendentals", "transcendentals"),
    ):
        value = raw.get(key)
        if isinstance(value, (int, float)) and value >= 0:
            cost[name] = float(value)
    return cost


def intensity(cost: dict[str, float]) -> tuple[float | None, str]:
    """(flops per byte, a word: memory-bound / likely compute-bound / unknown)."""
    flops, nbytes = cost.get("flops"), cost.get("bytes_accessed")
    if flops is None or not nbytes:
        return None, "unknown"
    value = flops / nbytes
    return value, "memory-bound" if value < INTENSITY_THRESHOLD else "likely compute-bound"


def _num(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.3g}"


# --- model -------------------------------------------------------------------------------------
def _is_jitted(fn: Any) -> bool:
    return callable(getattr(fn, "lower", None)) and callable(getattr(fn, "trace", None))


def _stablehlo_with_locations(lowered: Any) -> str:
    """The StableHLO with its locations, for the linked chain: printed with large constants
    elided (closed-over weights would otherwise be printed again, as megabytes of hex), which
    keeps its lines those of the listing."""
    try:
        module = lowered.compiler_ir("stablehlo")
        return module.operation.get_asm(enable_debug_info=True, large_elements_limit=64)
    except Exception:  # noqa: BLE001 - another JAX's IR objects: print it whole
        return lowered.as_text(debug_info=True)


def hlo_model(traced: Any, lowered: Any, compiled: Any, name: str) -> dict[str, Any]:
    """Plain data from a ``Traced``, its ``Lowered`` and its ``Compiled``."""
    from ._hlo_chain import chain_model

    stablehlo = clean_stablehlo(lowered.as_text())
    raw = compiled.as_text() or ""
    raw_comps, files = parse_computations(raw), frame_files(raw)  # metadata kept
    try:
        debug = _stablehlo_with_locations(lowered)
        chain = chain_model(traced.jaxpr, debug, raw_comps, files)
    except Exception:  # noqa: BLE001 - the chain is a reading aid; the listings stand without it
        chain = []
    compiled_hlo = clean_hlo(raw)
    origins = fusion_origins(raw_comps, files)
    cost, source = {}, ""
    try:
        cost, source = normalise_cost(compiled.cost_analysis()), "compiled"
    except Exception:  # noqa: BLE001 - not every backend implements it
        cost = {}
    if not cost:
        try:
            cost, source = normalise_cost(lowered.cost_analysis()), "lowered"
        except Exception:  # noqa: BLE001
            cost, source = {}, ""
    value, bound = intensity(cost)
    comps = parse_computations(compiled_hlo)
    entry = next((c for c in comps.values() if c["entry"]), {"instructions": []})
    return {
        "name": name,
        "stablehlo": stablehlo,
        "compiled_hlo": compiled_hlo,
        "fusions": [
            {**f, **origins.get(f["name"], {"sources": [], "scopes": []})}
            for f in find_fusions(compiled_hlo)
        ],
        "entry_ops": len([i for i in entry["instructions"] if i[1] != "parameter"]),
        "chain": chain,
        "cost": cost,
        "cost_source": source,
        "intensity": value,
        "bound": bound,
    }


# --- view --------------------------------------------------------------------------------------
class HloView(View):
    """Lowered StableHLO, compiled HLO, its fusions and XLA's cost estimate for one function."""

    kind = "hlo"
    styles = ("hlo",)
    esm = "hlo.js"

    @property
    def stablehlo(self) -> str:
        return self.data["stablehlo"]

    @property
    def compiled_hlo(self) -> str:
        return self.data["compiled_hlo"]

    @property
    def fusions(self) -> list[dict[str, Any]]:
        return list(self.data["fusions"])

    @property
    def cost(self) -> dict[str, float]:
        return dict(self.data["cost"])

    @property
    def flops(self) -> float | None:
        return self.data["cost"].get("flops")

    @property
    def bytes_accessed(self) -> float | None:
        return self.data["cost"].get("bytes_accessed")

    @property
    def intensity(self) -> float | None:
        return self.data["intensity"]

    # --- summary shared by text and HTML -------------------------------------------------------
    def _summary(self) -> list[tuple[str, str]]:
        d = self.data
        cost = d["cost"]
        rows = []
        if "flops" in cost:
            rows.append(("flops", _num(cost["flops"])))
        if "transcendentals" in cost:
            rows.append(("transcendentals", _num(cost["transcendentals"])))
        if "bytes_accessed" in cost:
            b = cost["bytes_accessed"]
            rows.append(("bytes accessed", f"{_num(b)} ({nbytes_text(b)})"))
        if not cost:
            rows.append(("cost", "not reported by this backend"))
        if d["intensity"] is None:
            rows.append(("arithmetic intensity", "unknown (needs flops and bytes)"))
        else:
            rows.append(
                (
                    "arithmetic intensity",
                    f"{d['intensity']:.3g} flops/byte -> {d['bound']} "
                    f"(threshold {INTENSITY_THRESHOLD:g} flops/byte)",
                )
            )
        rows.append(("fusions", str(len(d["fusions"]))))
        rows.append(("entry instructions", str(d["entry_ops"])))
        return rows

    def text(self) -> str:
        d = self.data
        lines = [f"hlo of {d['name']}"]
        lines += [f"  {k}: {v}" for k, v in self._summary()]
        if d["intensity"] is not None:
            lines.append(
                "  (intensity = flops / bytes accessed, XLA's estimate; below the threshold "
                "moving data, not arithmetic, dominates)"
            )
        if d["fusions"]:
            lines.append("fusions:")
            for f in d["fusions"]:
                kind = f["kind"] + (f" ({f['detail']})" if f["detail"] else "")
                lines.append(f"  {f['name']}: {kind} -> {f['shape']}: {_ops_text(f['ops'])}")
                if f.get("cost"):
                    lines.append(f"    cost: {fusion_cost_text(f['cost'])}")
                if f.get("sources") or f.get("scopes"):
                    lines.append(f"    from {_origin_text(f)}")
        if d.get("chain"):
            lines.append("linked chain (source line -> jaxpr -> StableHLO lines -> compiled HLO):")
            for r in d["chain"]:
                scope = f"[{r['scope']}] " if r["scope"] else ""
                code = f": {r['code']}" if r["code"] else ""
                lines.append(f"  {scope}{r['where']}{code}")
                lines.append(f"    jaxpr: {_eqns_text(r['eqns'])}")
                if r["stablehlo"]:
                    lines.append(f"    StableHLO: lines {_ranges_text(r['stablehlo'])}")
                if r["compiled"]:
                    lines.append(f"    compiled: {_few(r['compiled'], CHAIN_SHOWN)}")
        n_s = d["stablehlo"].count("\n")
        n_c = d["compiled_hlo"].count("\n")
        lines.append(f"--- StableHLO (lowered, {n_s} lines, numbered) ---")
        stable = d["stablehlo"].rstrip("\n").split("\n")
        lines += [f"{n:>4}  {line}" for n, line in enumerate(stable, start=1)]
        lines.append(f"--- compiled HLO (optimised, metadata removed, {n_c} lines) ---")
        lines.append(d["compiled_hlo"].rstrip("\n"))
        return "\n".join(lines)

    @staticmethod
    def _listing(title: str, text: str, links: dict[int, str] | None = None) -> str:
        """A folded listing, one ``<span>`` per line (numbered by CSS); ``links`` gives a
        line (1-based) its attributes (an id to link to, the chain rows it belongs to)."""
        links = links or {}
        lines = text.rstrip("\n").split("\n")
        shown = lines[:HTML_MAX_LINES]
        cut = len(lines) - len(shown)
        note = ""
        if cut:
            note = (
                f'<div class="jxs-muted jxs-hlo-cut">{cut} more lines not shown here; '
                f"the text form and the property hold them all</div>"
            )
        opened = " open" if len(lines) <= HTML_OPEN_LINES else ""
        body = "\n".join(
            f"<span{links.get(n, '')}>{esc(line)}</span>" for n, line in enumerate(shown, start=1)
        )
        return (
            f'<details class="jxs-hlo-listing"{opened}><summary>{esc(title)} '
            f'<span class="jxs-muted">({len(lines)} lines)</span></summary>'
            f'<pre class="jxs-hlo-code">{body}</pre>{note}</details>'
        )

    def _anchor(self) -> str:
        """A prefix for this view's element ids: the same for the same program, in any process."""
        import hashlib

        d = self.data
        digest = hashlib.sha1(f"{d['name']}\n{d['stablehlo']}\n{d['compiled_hlo']}".encode())
        return "jxh" + digest.hexdigest()[:8]

    def html_body(self) -> str:
        d = self.data
        p = self._anchor()
        chain = d.get("chain", [])
        fusion_index = {f["name"]: k for k, f in enumerate(d["fusions"])}
        # which chain rows each StableHLO line, compiled instruction and fusion belongs to
        s_rows: dict[int, list[int]] = {}
        c_rows: dict[str, list[int]] = {}
        for i, r in enumerate(chain):
            for n in r["stablehlo"]:
                s_rows.setdefault(n, []).append(i)
            for name in r["compiled"]:
                c_rows.setdefault(name, []).append(i)
        c_lines = {}  # compiled instruction -> its line in the listing
        wanted = set(c_rows) | set(fusion_index)
        for n, line in enumerate(d["compiled_hlo"].rstrip("\n").split("\n"), start=1):
            m = _INSTR.match(line)
            if m and m.group(2) in wanted:
                c_lines.setdefault(m.group(2), n)

        def tokens(rows: list[int]) -> str:
            return " ".join(str(i) for i in rows)

        rows = "".join(
            f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in self._summary()
        )
        parts = [
            f'<div class="jxs-head">hlo of <code>{esc(d["name"])}</code></div>',
            f'<table class="jxs-table jxs-hlo-summary">{rows}</table>',
        ]
        if d["intensity"] is not None:
            parts.append(
                f'<div class="jxs-muted jxs-hlo-note">Arithmetic intensity is flops per byte '
                f"accessed (XLA's estimate). Below about {INTENSITY_THRESHOLD:g} flops/byte a "
                f"program spends its time moving data rather than computing.</div>"
            )
        if d["fusions"]:
            body = []
            for k, f in enumerate(d["fusions"]):
                linked = c_rows.get(f["name"], [])
                if linked:
                    scopes = _few(f.get("scopes", []), 3)
                    refs = ", ".join(
                        f'<a href="#{p}-r{i}" data-chain="{i}">{esc(chain[i]["where"])}</a>'
                        for i in linked
                    )
                    origin = (f"{esc(scopes)}; " if scopes else "") + refs
                else:
                    origin = esc(_origin_text(f))
                name = f"<code>{esc(f['name'])}</code>"
                if f["name"] in c_lines:
                    name = f'<a href="#{p}-c{c_lines[f["name"]]}">{name}</a>'
                body.append(
                    f'<tr id="{p}-f{k}" data-chain="{tokens(linked)}">'
                    f"<td>{name}</td>"
                    f'<td><span class="jxs-badge jxs-hlo-kind">{esc(f["kind"])}</span>'
                    f"{esc(f['detail'])}</td><td><code>{esc(f['shape'])}</code></td>"
                    f'<td class="jxs-hlo-ops">{esc(_ops_text(f["ops"]))}</td>'
                    f'<td class="jxs-hlo-cost">{esc(fusion_cost_text(f.get("cost", {})))}</td>'
                    f'<td class="jxs-hlo-from">{origin}</td></tr>'
                )
            parts.append(
                '<table class="jxs-table jxs-hlo-fusions"><tr><th>fusion</th><th>kind</th>'
                f"<th>shape</th><th>ops fused</th><th>cost (flops, bytes read and written)</th>"
                "<th>from (scopes; source lines)</th></tr>"
                f"{''.join(body)}</table>"
            )
        if chain:
            parts.append(self._chain_html(p, chain, fusion_index, c_lines))
        s_links = {n: f' id="{p}-s{n}" data-chain="{tokens(rows)}"' for n, rows in s_rows.items()}
        c_links = {
            n: f' id="{p}-c{n}" data-chain="{tokens(c_rows.get(name, []))}"'
            for name, n in c_lines.items()
        }
        parts.append(self._listing("StableHLO (lowered)", d["stablehlo"], s_links))
        parts.append(
            self._listing("compiled HLO (optimised, metadata removed)", d["compiled_hlo"], c_links)
        )
        return "".join(parts)

    def _chain_html(
        self,
        p: str,
        chain: list[dict[str, Any]],
        fusion_index: dict[str, int],
        c_lines: dict[str, int],
    ) -> str:
        """The linked chain as a table: a row per source line, links to its StableHLO lines
        and to the fusions (with their cost) or compiled instructions that hold it."""
        fusions = self.data["fusions"]
        by_scope: dict[str, list[int]] = {}
        for i, r in enumerate(chain):
            by_scope.setdefault(r["scope"], []).append(i)
        body = []
        for i, r in enumerate(chain):
            scope_rows = " ".join(str(j) for j in by_scope[r["scope"]])
            scope = (
                f'<span class="jxs-hlo-scope" data-chain="{scope_rows}" '
                f'title="select every line of this scope">{esc(r["scope"])}</span>'
                if r["scope"]
                else ""
            )
            eqns = "".join(
                f'<li><code>{esc(prim)}</code> <span class="jxs-muted">{esc(shape)}</span></li>'
                for prim, shape in r["eqns"][:CHAIN_SHOWN]
            )
            more = len(r["eqns"]) - CHAIN_SHOWN
            if more > 0:
                eqns += f'<li class="jxs-muted">+{more} more ({esc(_eqns_text(r["eqns"]))})</li>'
            stable = ", ".join(
                f'<a href="#{p}-s{a}" data-chain="{i}">{a if a == b else f"{a}-{b}"}</a>'
                for a, b in _ranges(r["stablehlo"])
            )
            compiled = []
            for name in r["compiled"][:CHAIN_SHOWN]:
                k = fusion_index.get(name)
                if k is not None:
                    cost = fusion_cost_text(fusions[k].get("cost", {}))
                    compiled.append(
                        f'<a href="#{p}-f{k}" data-chain="{i}" title="{esc(cost)}">{esc(name)}</a>'
                    )
                elif name in c_lines:
                    compiled.append(
                        f'<a href="#{p}-c{c_lines[name]}" data-chain="{i}">{esc(name)}</a>'
                    )
                else:
                    compiled.append(esc(name))
            more = len(r["compiled"]) - CHAIN_SHOWN
            if more > 0:
                compiled.append(f'<span class="jxs-muted">+{more}</span>')
            body.append(
                f'<tr id="{p}-r{i}" data-chain="{i}"><td>{scope}</td>'
                f'<td class="jxs-hlo-src"><code>{esc(r["where"])}</code>'
                f'<div class="jxs-hlo-line">{esc(r["code"])}</div></td>'
                f'<td><ul class="jxs-hlo-eqns">{eqns}</ul></td>'
                f"<td>{stable}</td><td>{', '.join(compiled)}</td></tr>"
            )
        return (
            '<details class="jxs-hlo-chain" open><summary>linked chain: each source line, its '
            "jaxpr equations, the StableHLO lines they lower to and the compiled instructions "
            f'that hold them <span class="jxs-muted">({len(chain)} lines)</span></summary>'
            '<table class="jxs-table"><tr><th>scope</th><th>source line</th>'
            "<th>jaxpr equations</th><th>StableHLO lines</th>"
            "<th>compiled HLO (fusion cost on hover)</th></tr>"
            f"{''.join(body)}</table></details>"
        )


# The view compiles its own executable, so that its source lines are this program's: JAX's
# persistent compile cache keys programs without their metadata by default, so a program compiled
# once from other lines (another cell, another notebook, an earlier session) comes back with
# *their* lines, and so does the executable the learner's own call of a jitted ``fn`` loaded.
# An option that changes no code gives the view its own entry in the in-memory cache, and
# `_metadata_in_cache_key` gives it its own entry on disk.
_OWN_COMPILE = {"xla_dump_hlo_as_text": False}


def _metadata_in_cache_key() -> Any:
    """A context in which JAX's persistent compile cache keys programs by their source lines."""
    import contextlib

    try:
        from jax._src import config
    except ImportError:  # pragma: no cover - a JAX without it: lines may then be stale
        return contextlib.nullcontext()
    state = getattr(config, "compilation_cache_include_metadata_in_key", None)
    return state(True) if callable(state) else contextlib.nullcontext()


def hlo(
    fn: Any,
    *args: Any,
    static_argnums: int | tuple[int, ...] = (),
    static_argnames: str | tuple[str, ...] = (),
    **kwargs: Any,
) -> HloView | ErrorPanel:
    """Lower and compile ``fn`` for ``args`` and show the StableHLO, compiled HLO and its cost.

    ``fn`` may already be jitted (``jax.jit(f)``); it is then lowered as it is, unless static
    arguments it does not have are given here, in which case the function inside is jitted anew.
    """
    require_callable(fn, "fn")
    import jax

    bound = bind(fn, args, kwargs, static_argnums, static_argnames, view="js.hlo")
    if _is_jitted(bound.fn):
        jitted = bound.fn  # jitted with these very static arguments
    else:
        try:
            jitted = jax.jit(
                jittable(bound.fn),
                static_argnums=bound.static_argnums,
                static_argnames=tuple(sorted(bound.static_kw)),
            )
        except (TypeError, ValueError) as exc:  # fn itself cannot be jitted
            return error_panel("Could not jit fn", exc, fn)
    try:
        traced = jitted.trace(*args, **kwargs)
        lowered = traced.lower()
    except Exception as exc:  # noqa: BLE001 - the learner's function failed: explain it
        return error_panel("Could not lower fn", exc, fn)
    try:
        with _metadata_in_cache_key():
            compiled = lowered.compile(compiler_options=_OWN_COMPILE)
    except Exception as exc:  # noqa: BLE001
        return error_panel("Could not compile fn", exc, fn)
    return HloView(hlo_model(traced, lowered, compiled, fn_name(fn)))
