"""``js.trace``: a function's source with every line annotated by the tracers it produced.

The model traces the function with ``jax.make_jaxpr`` and maps each equation to a line of the
function through the equation's ``source_info`` (the innermost frame in the function's own file
and line range; calls to helpers count for the calling line). The header says which arguments
are static (a Python value baked into the trace) and which are traced (only shape and dtype
known). When tracing fails, the view keeps what was traced up to the failure and explains the
error at its line instead of raising.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from . import _sharp_bits
from ._binding import bind, signature
from ._errors import fn_name, require_callable, short_repr
from ._explain import (
    clean_message,
    code_of,
    code_range,
    explain,
    is_library_file,
    leak_site,
    return_site,
    safe_str,
    short_path,
)
from ._view import View, esc

MAX_EQNS_PER_LINE = 8
ANNOTATION_COLUMN = 44  # text(): annotations start at this column when the code is shorter


# --------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------
def trace(
    fn: Any,
    *args: Any,
    static_argnums: int | Sequence[int] = (),
    static_argnames: str | Sequence[str] = (),
    **kwargs: Any,
) -> TraceView:
    """Trace ``fn(*args, **kwargs)`` and show its source annotated with the tracers each line
    produced, which arguments are static and which traced, and any tracer error explained."""
    require_callable(fn, "fn")
    return TraceView(trace_model(fn, args, kwargs, static_argnums, static_argnames))


# --------------------------------------------------------------------------------------------
# model: function + arguments -> plain data
# --------------------------------------------------------------------------------------------
def aval_str(aval: Any) -> str:
    """``f32[3]``, ``i32[]~weak``, ``key<fry>[2]``: an abstract value in short form."""
    try:
        text = aval.str_short(short_dtypes=True)
    except Exception:  # noqa: BLE001 - unusual avals (tokens, refs)
        text = str(aval)
    if getattr(aval, "weak_type", False):
        text += "~weak"
    return text


def tracer_name(value: Any) -> tuple[str, str]:
    """(the name ``print(x)`` shows, e.g. ``JitTracer``; the class name, e.g.
    ``DynamicJaxprTracer``)."""
    cls = type(value).__name__
    try:
        shown = repr(value).split("(", 1)[0].strip()
    except Exception:  # noqa: BLE001
        shown = cls
    if not shown.isidentifier():
        shown = cls
    return shown, cls


def _user_code(fn: Any) -> Any:
    """The code object of the learner's function behind ``fn``, or None (builtins, JAX's own
    functions such as ``jnp.sin``)."""
    code = code_of(fn)
    if code is None or is_library_file(code.co_filename):
        return None
    return code


def _source(code: Any) -> tuple[list[str], int] | None:
    if code is None:
        return None
    try:
        lines, start = inspect.getsourcelines(code)
    except (OSError, TypeError, IndexError):
        return None
    lines = [ln.rstrip("\r\n").expandtabs(4) for ln in lines]
    text = textwrap.dedent("\n".join(lines))
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return (lines, max(start, 1)) if lines else None


class _Locator:
    """Maps an equation (or a traceback) to a line of the learner's function."""

    def __init__(self, code: Any, line_range: tuple[int, int] | None):
        self.file = code.co_filename if code is not None else None
        self.first, self.last = line_range or (0, -1)

    def line_of_eqn(self, eqn: Any) -> int | None:
        if self.file is None:
            return None
        tb = getattr(eqn.source_info, "traceback", None)
        if tb is None:
            return None
        try:
            frames = tb.frames  # innermost first
        except Exception:  # noqa: BLE001
            return None
        for fr in frames:
            if fr.file_name == self.file and self.first <= fr.line_num <= self.last:
                return int(fr.line_num)
        return None

    def line_of_exc(self, frames: list[tuple[str, int]]) -> int | None:
        if self.file is None:
            return None
        mine = [line for f, line in frames if f == self.file and self.first <= line <= self.last]
        return mine[-1] if mine else None


def _eqn_label(eqn: Any) -> dict[str, str]:
    name = eqn.primitive.name
    sub = eqn.params.get("name") if isinstance(eqn.params, dict) else None
    if isinstance(sub, str) and sub:
        name = f"{name}({sub})"
    avals = ", ".join(aval_str(v.aval) for v in eqn.outvars) or "()"
    return {"prim": name, "avals": avals}


def _collect(jaxpr: Any, loc: _Locator, parent: int | None, per_line: dict, other: list) -> None:
    """Attribute each equation of ``jaxpr`` (and of its sub-jaxprs) to a source line. An inner
    equation on the same line as its outer one is folded into it (``cond``, ``jit(helper)``)."""
    from jax.extend.core import jaxprs_in_params

    for eqn in jaxpr.eqns:
        line = loc.line_of_eqn(eqn)
        if line is not None and line != parent:
            per_line.setdefault(line, []).append(_eqn_label(eqn))
        subs = list(jaxprs_in_params(eqn.params))
        if line is None and parent is None and other is not None:
            # unplaced top-level equation: keep it unless its body is placed line by line
            inner: dict = {}
            for sub in subs:
                _collect(sub, loc, None, inner, None)
            if inner:
                for k, v in inner.items():
                    per_line.setdefault(k, []).extend(v)
            else:
                other.append(_eqn_label(eqn))
            continue
        for sub in subs:
            _collect(sub, loc, line if line is not None else parent, per_line, None)


def _error_data(
    exc: BaseException,
    fn: Any,
    loc: _Locator,
    frames: list[tuple[str, int]],
    rename: Any = lambda text: text,
) -> dict[str, Any]:
    info = explain(exc, fn, rename)
    lines = clean_message(safe_str(exc)).splitlines()
    if lines and lines[0].startswith("Leaked trace"):
        lines = [ln for ln in lines if "referred to by" not in ln]
    line = loc.line_of_exc(frames)
    site = None
    if info.get("concept") == "leaked-tracers" and loc.file:
        site = leak_site(safe_str(exc), (loc.file, loc.first))
    site = site or (return_site(safe_str(exc)) if loc.file else None)
    if site and site[0] == loc.file and loc.first <= site[1] <= loc.last:
        line = site[1]  # the leak check stops after the trace: point at the store instead
    return {
        "type": info.get("name") or type(exc).__name__,
        "message": rename("\n".join(lines[:4])) or "(no message)",
        "line": line,
        "explanation": rename(info.get("explanation", "")),
        "fix": rename(info.get("fix", "")),
        "concept": info.get("concept", ""),
        "where": rename(info.get("where", "")),
    }


def trace_model(
    fn: Any,
    args: tuple,
    kwargs: dict[str, Any],
    static_argnums: int | Sequence[int] = (),
    static_argnames: str | Sequence[str] = (),
) -> dict[str, Any]:
    """Trace ``fn`` and return plain data: the function's name and file, its source lines with
    the equations each produced, the arguments (static or traced), the outputs' avals and the
    explained error when tracing failed."""
    import jax

    require_callable(fn, "fn")
    bound = bind(fn, args, kwargs, static_argnums, static_argnames, view="js.trace")
    fn, args, kwargs, note = bound.fn, bound.args, bound.kwargs, bound.note
    pos_names, static_pos, static_kw = bound.params, bound.static_pos, bound.static_kw
    dyn_pos, dyn_args, dyn_kwargs = bound.dyn_pos, bound.dyn_args, bound.dyn_kwargs

    code = _user_code(fn)
    src = _source(code)
    if src is not None:
        line_range = (src[1], src[1] + len(src[0]) - 1)
    elif code is not None:
        line_range = code_range(code)
    else:
        line_range = None
    loc = _Locator(code, line_range)

    record: dict[str, Any] = {"error": None, "outer": {}, "inner": {}}
    fn_where = f"{short_path(code.co_filename)}:{line_range[0]}" if code and line_range else ""

    def rename(text: str) -> str:
        """JAX names our wrapper and its parameters in messages: use the learner's names."""
        text = re.sub(
            r"\bd_args\[(\d+)\]",
            lambda m: pos_names[dyn_pos[int(m.group(1))]] if int(m.group(1)) < len(dyn_pos) else "",
            text,
        )
        text = re.sub(r"\bd_kwargs\[['\"]([^'\"]+)['\"]\]", r"\1", text)
        at = f" at {fn_where}" if fn_where else ""
        return re.sub(r"function traced at \S+:\d+", f"function {fn_name(fn)}{at}", text)

    def traced(d_args: tuple, d_kwargs: dict) -> Any:
        full = list(args)
        for j, i in enumerate(dyn_pos):
            full[i] = d_args[j]
        kw = {k: (d_kwargs[k] if k in d_kwargs else kwargs[k]) for k in kwargs}
        for j, i in enumerate(dyn_pos):
            leaves = jax.tree_util.tree_leaves(d_args[j])
            if leaves:
                record["outer"][pos_names[i]] = tracer_name(leaves[0])
        for k, v in d_kwargs.items():
            leaves = jax.tree_util.tree_leaves(v)
            if leaves:
                record["outer"][k] = tracer_name(leaves[0])
        try:
            return fn(*full, **kw)
        except Exception as exc:  # noqa: BLE001 - the learner's error becomes the view
            record["error"] = captured(exc)
            return None

    def captured(exc: BaseException) -> dict[str, Any]:
        """The view's error data for ``exc`` (the error under a leak report), its frames freed."""
        import traceback

        exc = _underlying(exc)
        frames = [(f.f_code.co_filename, ln) for f, ln in traceback.walk_tb(exc.__traceback__)]
        data = _error_data(exc, fn, loc, frames, rename)
        traceback.clear_frames(exc.__traceback__)
        return data

    def run(check_leaks: bool) -> tuple[Any, Any, dict | None]:
        import contextlib

        leaks = _checking_leaks() if check_leaks else contextlib.nullcontext()
        try:
            with leaks:
                closed, shape = jax.make_jaxpr(traced, return_shape=True)(dyn_args, dyn_kwargs)
            return closed, shape, None
        except Exception as exc:  # noqa: BLE001 - e.g. a leak found, or a non-array result
            return None, None, captured(exc)

    watch = _sharp_bits.Watch(fn, code)
    with _ArgWatcher(code, record["inner"]), watch:
        closed, out_shape, outer_error = run(check_leaks=True)
        if outer_error is not None and outer_error["concept"] == "leaked-tracers":
            # the leak check stopped the trace: trace again without it, for the annotations
            own = record["error"]
            closed, out_shape, _ = run(check_leaks=False)
            # a function that fails by itself leaves tracers behind, which is all the leak
            # checker saw: its own failure is the error to report
            record["error"] = own
        if outer_error is not None and outer_error["type"] == "KeyReuseError" and closed is None:
            # the checker rejects the finished trace: trace without it to find the second draw
            with jax.debug_key_reuse(False):
                closed, out_shape, _ = run(check_leaks=False)
            if closed is not None:
                outer_error["line"] = _sharp_bits.reused_key_line(closed, loc)

    error = record["error"] or outer_error
    if error is not None and not error["where"]:
        error["where"] = fn_where

    per_line: dict[int, list] = {}
    other: list = []
    arg_rows: list[dict[str, Any]] = []
    out_rows: list[dict[str, str]] = []
    in_avals: list[str] = []
    if closed is not None:
        _collect(closed.jaxpr, loc, None, per_line, other)
        in_avals = [aval_str(a) for a in closed.in_avals]
        if error is None:
            error = _leaked_const_error(closed, fn, loc)
        if record["error"] is None and out_shape is not None:
            leaves = jax.tree_util.tree_flatten_with_path(out_shape)[0]
            for (path, _), aval in zip(leaves, closed.out_avals, strict=False):
                out_rows.append(
                    {"name": "out" + jax.tree_util.keystr(path), "aval": aval_str(aval)}
                )

    # arguments: one row per static argument, one per traced leaf (with its key path)
    flat = jax.tree_util.tree_flatten_with_path((dyn_args, dyn_kwargs))[0]
    avals_by_arg: dict[Any, list] = {}
    for n, (path, leaf) in enumerate(flat):
        which = ("pos", path[1].idx) if path[0].idx == 0 else ("kw", path[1].key)
        aval = in_avals[n] if n < len(in_avals) else _leaf_aval(leaf)
        avals_by_arg.setdefault(which, []).append((jax.tree_util.keystr(path[2:]), aval))

    def add_rows(name: str, key: Any, value: Any, static: bool) -> None:
        if static:
            arg_rows.append({"name": name, "static": True, "value": short_repr(value)})
            return
        shown, cls = record["inner"].get(name) or record["outer"].get(name) or ("", "")
        leaves = avals_by_arg.get(key, [])
        if not leaves:
            arg_rows.append({"name": name, "static": False, "aval": "(no arrays)", "tracer": ""})
        for sub, aval in leaves:
            arg_rows.append(
                {"name": name + sub, "static": False, "aval": aval, "tracer": shown, "cls": cls}
            )

    for i, a in enumerate(args):
        add_rows(
            pos_names[i], ("pos", dyn_pos.index(i) if i in dyn_pos else -1), a, i in static_pos
        )
    for k, v in kwargs.items():
        add_rows(k, ("kw", k), v, k in static_kw)

    notes: list[dict[str, Any]] = []
    if closed is not None and error is None:
        notes = _sharp_bits.notes(fn, code, closed, loc, src, per_line, watch)
        if not (watch.printed or watch.changed or watch.rebound):  # retracing repeats effects
            statics = [(pos_names[i], args[i]) for i in sorted(static_pos)]
            statics += [(k, kwargs[k]) for k in sorted(static_kw)]

            def retrace(name: str, value: Any) -> Any:
                full, kw = list(args), dict(kwargs)
                if name in kw:
                    kw[name] = value
                else:
                    full[pos_names.index(name)] = value

                def again(d_args: tuple, d_kwargs: dict) -> Any:
                    for j, i in enumerate(dyn_pos):
                        full[i] = d_args[j]
                    return fn(*full, **{**kw, **d_kwargs})

                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        return jax.make_jaxpr(again)(dyn_args, dyn_kwargs)
                except Exception:  # noqa: BLE001 - then no note
                    return None

            notes += _sharp_bits.static_notes(statics, retrace, closed, src)

    lines: list[dict[str, Any]] = []
    if src is not None:
        src_lines, start = src
        for n, text in enumerate(src_lines):
            lines.append({"n": start + n, "code": text, "eqns": per_line.get(start + n, [])})
    else:
        for n in sorted(per_line):
            lines.append({"n": n, "code": None, "eqns": per_line[n]})

    return {
        "name": fn_name(fn),
        "where": fn_where,
        "has_source": src is not None,
        "signature": f"{fn_name(fn)}{sig}" if (sig := signature(fn)) is not None else "",
        "args": arg_rows,
        "outs": out_rows,
        "lines": lines,
        "other": other,
        "error": error,
        "note": note,
        "notes": notes,
    }


def _underlying(exc: BaseException) -> BaseException:
    """The error to report for ``exc``: when the leak checker raised while another error was
    propagating, it only saw the tracers that error left behind, so the other error."""
    inner = exc.__context__
    if isinstance(inner, Exception) and "Leaked trace" in str(exc):
        return inner
    return exc


@contextlib.contextmanager
def _checking_leaks() -> Any:
    """``jax.checking_leaks()`` at the cost of the objects the trace creates: the objects that
    already exist are frozen out of the garbage collection JAX runs to find leaked tracers (a
    leaked tracer is new, so it is still found)."""
    import gc

    import jax

    freeze = gc.get_freeze_count() == 0  # never thaw what the program itself froze
    if freeze:
        gc.freeze()
    try:
        with jax.checking_leaks():
            yield
    finally:
        if freeze:
            gc.unfreeze()


def _leaf_aval(leaf: Any) -> str:
    import jax

    try:
        if isinstance(leaf, jax.ShapeDtypeStruct):
            return aval_str(jax.core.ShapedArray(leaf.shape, leaf.dtype))
        return aval_str(jax.typeof(leaf))
    except Exception:  # noqa: BLE001
        return type(leaf).__name__


def _leaked_const_error(closed: Any, fn: Any, loc: _Locator) -> dict[str, Any] | None:
    """make_jaxpr quietly turns a tracer leaked from an earlier trace into a constant; jit
    raises UnexpectedTracerError for it. Report it the way jit would."""
    import jax

    leaked = [
        v
        for v, c in zip(closed.jaxpr.constvars, closed.consts, strict=False)
        if isinstance(c, jax.core.Tracer)
    ]
    if not leaked:
        return None
    line = None
    for eqn in closed.jaxpr.eqns:
        if any(v in leaked for v in eqn.invars if not hasattr(v, "val")):
            line = loc.line_of_eqn(eqn)
            if line is not None:
                break
    exc = jax.errors.UnexpectedTracerError(
        "A tracer created while tracing another function (a leaked tracer, "
        f"{aval_str(leaked[0].aval)}) is used here; jax.jit raises UnexpectedTracerError for it."
    )
    data = _error_data(exc, fn, loc, [])
    data["line"] = line
    if line is not None and loc.file:
        data["where"] = f"{short_path(loc.file)}:{line}"
    return data


class _ArgWatcher:
    """While tracing, note the tracer type the learner's function body sees for each argument
    (``JitTracer``, ``GradTracer``, ``VmapTracer``...), from the first call of its code."""

    def __init__(self, code: Any, out: dict):
        self.code = code
        self.out = out
        self.active = False

    def _profile(self, frame: Any, event: str, arg: Any) -> None:
        if event != "call" or frame.f_code is not self.code or self.out:
            return
        try:
            import jax

            info = inspect.getargvalues(frame)
            params = list(info.args)
            if info.varargs:
                params.append(info.varargs)
            if info.keywords:
                params.append(info.keywords)
            for p in params:
                leaves = [
                    x
                    for x in jax.tree_util.tree_leaves(info.locals.get(p))
                    if isinstance(x, jax.core.Tracer)
                ]
                if leaves:
                    self.out[p] = tracer_name(leaves[0])
            if info.varargs in self.out:
                shown = self.out[info.varargs]
                for k in range(len(info.locals.get(info.varargs) or ())):
                    self.out[f"{info.varargs}[{k}]"] = shown
            if info.keywords and isinstance(info.locals.get(info.keywords), dict):
                for k, v in info.locals[info.keywords].items():
                    leaves = [
                        x for x in jax.tree_util.tree_leaves(v) if isinstance(x, jax.core.Tracer)
                    ]
                    if leaves:
                        self.out[k] = tracer_name(leaves[0])
            self.out.setdefault("", ("", ""))
        except Exception:  # noqa: BLE001 - best effort only
            self.out.setdefault("", ("", ""))
        if self.active:  # seen: stop the hook, which would slow every later call of the trace
            sys.setprofile(None)

    def __enter__(self) -> _ArgWatcher:
        if self.code is not None and sys.getprofile() is None:
            sys.setprofile(self._profile)
            self.active = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.active:
            sys.setprofile(None)


# --------------------------------------------------------------------------------------------
# view: data -> text / html
# --------------------------------------------------------------------------------------------
def _ann_text(eqns: list[dict[str, str]]) -> str:
    parts = [f"{e['prim']} → {e['avals']}" for e in eqns[:MAX_EQNS_PER_LINE]]
    if len(eqns) > MAX_EQNS_PER_LINE:
        parts.append(f"… +{len(eqns) - MAX_EQNS_PER_LINE} more")
    return "; ".join(parts)


def _notes_by_line(d: dict[str, Any]) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = {}
    for note in d.get("notes", []):
        out.setdefault(note["line"], []).append(note)
    return out


def _note_text(note: dict[str, Any], nwidth: int) -> str:
    pad = " " * (nwidth + 6)  # under the code column
    return (
        f"{pad}! sharp bit ({note['kind']}): {note['text']}\n{pad}  Fix: {note['fix']} "
        f"(cheat sheet: {note['concept']})"
    )


def _note_html(note: dict[str, Any]) -> str:
    return (
        f'<div class="jxs-trace-note" data-kind="{esc(note["kind"])}"><b>sharp bit</b> '
        f"({esc(note['kind'])}): {esc(note['text'])} <b>Fix:</b> {esc(note['fix'])} "
        f'<code class="jxs-trace-concept">{esc(note["concept"])}</code></div>'
    )


class TraceView(View):
    """A function's source annotated line by line with the abstract values it produced."""

    kind = "trace"
    styles = ("error", "trace")
    esm = None

    # --- text ---
    def text(self) -> str:
        d = self.data
        err = d["error"]
        head = f"trace of {d['name']}"
        if d["where"]:
            head += f"  ({d['where']})"
        out = [head]
        if d.get("note"):
            out.append(f"({d['note']})")
        if d["args"]:
            out.append("arguments:")
            width = max(len(a["name"]) for a in d["args"])
            for a in d["args"]:
                if a["static"]:
                    out.append(f"  {a['name']:<{width}}  static  {a['value']}")
                else:
                    tr = f"  {a['tracer']}" if a.get("tracer") else ""
                    out.append(f"  {a['name']:<{width}}  traced  {a['aval']}{tr}".rstrip())
        if d["outs"]:
            out.append("outputs: " + ", ".join(f"{o['name']}: {o['aval']}" for o in d["outs"]))
        errline = err["line"] if err else None
        notes_at = _notes_by_line(d)
        shown = {ln["n"] for ln in d["lines"]}
        if d["lines"]:
            if not d["has_source"]:
                out.append("(source not available: equations grouped by line)")
            nwidth = max(len(str(ln["n"])) for ln in d["lines"])
            codes = [ln["code"] or "" for ln in d["lines"] if ln["eqns"]]
            col = min(max((len(c) for c in codes), default=0), ANNOTATION_COLUMN)
            for ln in d["lines"]:
                mark = ">>" if ln["n"] == errline else "  "
                code = ln["code"] if ln["code"] is not None else ""
                row = f"{mark} {ln['n']:>{nwidth}} | {code}"
                if ln["eqns"]:
                    row = f"{mark} {ln['n']:>{nwidth}} | {code:<{col}}  # {_ann_text(ln['eqns'])}"
                out.append(row.rstrip())
                out.extend(_note_text(n, nwidth) for n in notes_at.get(ln["n"], []))
        unplaced = [n for n in d.get("notes", []) if n["line"] not in shown]
        out.extend(_note_text(n, 0) for n in unplaced)
        if d["other"]:
            label = "equations:" if not d["lines"] else "other equations:"
            out.append(label)
            out.extend(f"  {e['prim']} → {e['avals']}" for e in d["other"])
        if not d["lines"] and not d["other"] and not err:
            out.append("(no equations: the function does no array work on traced values)")
        if err:
            at = f" at line {err['line']}" if err["line"] is not None else ""
            out.append(f"{err['type']}{at}" + (f" ({err['where']})" if err["where"] else ""))
            out.extend("  " + m for m in err["message"].splitlines())
            if err["explanation"]:
                out.append(f"  What happened: {err['explanation']}")
            if err["fix"]:
                out.append(f"  Fix: {err['fix']}")
            if err["concept"]:
                out.append(f"  Cheat sheet: {err['concept']}")
        return "\n".join(out)

    # --- html ---
    def _error_html(self, err: dict[str, Any]) -> str:
        at = f" at line {err['line']}" if err["line"] is not None else ""
        parts = [
            '<div class="jxs-error jxs-trace-explain">'
            f'<div class="jxs-error-title"><code>{esc(err["type"])}</code>{esc(at)}</div>'
        ]
        if err["where"]:
            parts.append(f'<div class="jxs-error-where">{esc(err["where"])}</div>')
        parts.append(f'<pre class="jxs-error-msg">{esc(err["message"])}</pre>')
        if err["explanation"]:
            parts.append(f"<p><b>What happened:</b> {esc(err['explanation'])}</p>")
        if err["fix"]:
            parts.append(f"<p><b>Fix:</b> {esc(err['fix'])}</p>")
        if err["concept"]:
            parts.append(
                f'<p><b>Cheat sheet:</b> <code class="jxs-trace-concept">'
                f"{esc(err['concept'])}</code></p>"
            )
        parts.append("</div>")
        return "".join(parts)

    @staticmethod
    def _eqns_html(eqns: list[dict[str, str]]) -> str:
        spans = [
            f'<span class="jxs-trace-eqn"><b>{esc(e["prim"])}</b> → '
            f'<span class="jxs-trace-aval">{esc(e["avals"])}</span></span>'
            for e in eqns[:MAX_EQNS_PER_LINE]
        ]
        if len(eqns) > MAX_EQNS_PER_LINE:
            spans.append(f'<span class="jxs-muted">… +{len(eqns) - MAX_EQNS_PER_LINE} more</span>')
        return " ".join(spans)

    def html_body(self) -> str:
        d = self.data
        err = d["error"]
        parts = [
            f'<div class="jxs-head jxs-trace-head">trace of <code>{esc(d["name"])}</code>'
            + (f' <span class="jxs-muted">{esc(d["where"])}</span>' if d["where"] else "")
            + "</div>"
        ]
        if d.get("note"):
            parts.append(f'<div class="jxs-muted">{esc(d["note"])}</div>')
        if d["args"]:
            rows = []
            for a in d["args"]:
                if a["static"]:
                    rows.append(
                        f'<tr class="jxs-trace-arg-static"><td><code>{esc(a["name"])}</code></td>'
                        '<td><span class="jxs-badge jxs-trace-static" title="a Python value, '
                        'fixed while tracing">static</span></td>'
                        f"<td><code>{esc(a['value'])}</code></td><td></td></tr>"
                    )
                else:
                    title = f' title="{esc(a["cls"])}"' if a.get("cls") else ""
                    rows.append(
                        f'<tr class="jxs-trace-arg-traced"><td><code>{esc(a["name"])}</code></td>'
                        '<td><span class="jxs-badge jxs-trace-traced" title="only shape and '
                        'dtype are known while tracing">traced</span></td>'
                        f'<td><code class="jxs-trace-aval">{esc(a["aval"])}</code></td>'
                        f"<td><code{title}>{esc(a.get('tracer', ''))}</code></td></tr>"
                    )
            parts.append(
                '<table class="jxs-table jxs-trace-args"><tr><th>argument</th><th>kind</th>'
                "<th>value / aval</th><th>tracer</th></tr>" + "".join(rows) + "</table>"
            )
        if d["outs"]:
            outs = ", ".join(
                f"<code>{esc(o['name'])}</code>: "
                f'<code class="jxs-trace-aval">{esc(o["aval"])}</code>'
                for o in d["outs"]
            )
            parts.append(f'<div class="jxs-trace-outs">outputs: {outs}</div>')
        errline = err["line"] if err else None
        notes_at = _notes_by_line(d)
        placed = False
        if d["lines"]:
            if not d["has_source"]:
                parts.append(
                    '<div class="jxs-muted">source not available: equations grouped by line</div>'
                )
            rows = []
            for ln in d["lines"]:
                cls = "jxs-trace-line"
                if ln["n"] == errline:
                    cls += " jxs-trace-errline"
                code = esc(ln["code"]) if ln["code"] is not None else ""
                rows.append(
                    f'<tr class="{cls}" data-line="{ln["n"]}">'
                    f'<td class="jxs-trace-ln">{ln["n"]}</td>'
                    f'<td class="jxs-trace-code"><pre>{code}</pre></td>'
                    f'<td class="jxs-trace-ann">{self._eqns_html(ln["eqns"])}</td></tr>'
                )
                for note in notes_at.get(ln["n"], []):
                    rows.append(
                        f'<tr class="jxs-trace-noterow"><td></td><td colspan="2">'
                        f"{_note_html(note)}</td></tr>"
                    )
                if ln["n"] == errline:
                    placed = True
                    rows.append(
                        f'<tr class="jxs-trace-errrow"><td></td><td colspan="2">'
                        f"{self._error_html(err)}</td></tr>"
                    )
            parts.append('<table class="jxs-trace-src">' + "".join(rows) + "</table>")
        if d["other"]:
            label = "equations" if not d["lines"] else "other equations"
            items = "".join(f"<li>{self._eqns_html([e])}</li>" for e in d["other"])
            parts.append(
                f'<div class="jxs-trace-other"><span class="jxs-muted">{label}</span>'
                f"<ul>{items}</ul></div>"
            )
        shown = {ln["n"] for ln in d["lines"]}
        parts.extend(_note_html(n) for n in d.get("notes", []) if n["line"] not in shown)
        if err and not placed:
            parts.append(self._error_html(err))
        return "".join(parts)
