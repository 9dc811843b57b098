"""Plain-words explanations of the errors learners meet when JAX traces their code.

``explain(exc, fn)`` returns a dict with ``explanation``, ``fix``, ``concept`` (a cheat-sheet
concept id) and ``where`` (``file:line`` in the learner's code, when it can be found). It is used
by every error panel, so it is cheap (no file reading) and never raises.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import sysconfig
from typing import Any

_CELL_RE = re.compile(r"ipykernel_\d+[/\\]\d+\.py$|[/\\]ipython-input-")
_PATH_RE = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s:'\"()<>]*[/\\]([^\s:'\"()<>/\\]+\.py)")
_ARG_RE = re.compile(r"the values? of the arguments? ([^\n]+?)\.(?:\s|$)")
_AT_RE = re.compile(r" at (\S+\.py):(\d+)")
_ADDR_RE = re.compile(r"\s(?:at )?0x[0-9a-fA-F]+|(?<=\bid )\d{6,}")
_OBJ_ID_RE = re.compile(r"(<[\w.]+) \d{6,}>")


@functools.lru_cache(maxsize=1024)  # hot: the jaxpr view asks once per equation
def short_path(path: str) -> str:
    """A deterministic short name for a source file: ``<cell>`` for notebook cells, else the
    basename (no directories, no process ids)."""
    path = str(path)
    if _CELL_RE.search(path):
        return "<cell>"
    if path.startswith("<") and path.endswith(">"):
        return path
    return os.path.basename(path) or path


def clean_message(message: str) -> str:
    """An error message with file paths shortened, addresses and documentation links dropped."""
    message = _PATH_RE.sub(lambda m: short_path(m.group(0)), message)
    message = _OBJ_ID_RE.sub(r"\1>", message)
    message = _ADDR_RE.sub("", message)
    lines = [ln.rstrip() for ln in message.splitlines()]
    return "\n".join(ln for ln in lines if ln.strip() and not ln.lstrip().startswith("See http"))


def safe_str(exc: BaseException) -> str:
    """``str(exc)``, or ``""`` when the exception's ``__str__`` itself fails."""
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the real error
        return ""


def code_of(fn: Any) -> Any:
    """The code object of the Python function behind ``fn`` (unwrapping jit, grad, partial), or
    ``None``."""
    seen = 0
    while fn is not None and seen < 20:
        seen += 1
        try:
            inner = getattr(fn, "__wrapped__", None)
            if inner is None and isinstance(fn, functools.partial):
                inner = fn.func
            if inner is None:
                code = getattr(fn, "__code__", None)
                if code is not None:
                    return code
                inner = getattr(fn, "__func__", None)  # bound methods
            if inner is None:
                call = type(fn).__dict__.get("__call__")  # callable objects (modules)
                inner = call if hasattr(call, "__code__") else None
        except Exception:  # noqa: BLE001 - objects with odd attribute access
            return None
        fn = inner
    return None


def code_range(code: Any) -> tuple[int, int]:
    """First and last line of a code object, nested functions and lambdas included."""
    first = last = code.co_firstlineno
    stack = [code]
    while stack:
        c = stack.pop()
        try:
            for _, _, line in c.co_lines():
                if line is not None and line > last:
                    last = line
        except Exception:  # noqa: BLE001 - odd code objects: keep what we have
            pass
        stack.extend(k for k in c.co_consts if hasattr(k, "co_lines"))
    return first, last


@functools.cache
def _library_prefixes() -> tuple[str, ...]:
    prefixes = [os.path.dirname(os.path.abspath(__file__))]
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            prefixes.append(sysconfig.get_path(key))
        except Exception:  # noqa: BLE001
            pass
    for name in ("jax", "jaxlib", "numpy"):
        mod = sys.modules.get(name)
        if mod is not None and getattr(mod, "__file__", None):
            prefixes.append(os.path.dirname(os.path.abspath(mod.__file__)))
    return tuple(p for p in prefixes if p)


def is_library_file(path: str) -> bool:
    """True for files of Python, JAX, site-packages or jaxscope itself (not the learner's)."""
    if path.startswith("<"):
        return path.startswith("<frozen")
    return path.startswith(_library_prefixes())


def learner_frames(exc: BaseException, fn: Any = None) -> list[tuple[str, int]]:
    """``(file, line)`` of the frames in the traceback of ``exc`` that belong to the learner,
    innermost last: those inside ``fn`` when ``fn`` is given and found, else non-library frames."""
    import traceback

    code = code_of(fn)
    chain: list[BaseException] = []
    while isinstance(exc, BaseException) and exc not in chain and len(chain) < 5:
        chain.append(exc)  # JAX puts the learner's frames of a transformed error in __cause__
        exc = exc.__cause__
    for link in chain:
        try:
            frames = [
                (f.f_code.co_filename, int(line))
                for f, line in traceback.walk_tb(link.__traceback__)
                if line is not None
            ]
        except Exception:  # noqa: BLE001
            continue
        if code is not None and not is_library_file(code.co_filename):
            first, last = code_range(code)
            mine = [fr for fr in frames if fr[0] == code.co_filename and first <= fr[1] <= last]
            if mine:
                return mine
        learner = [fr for fr in frames if not is_library_file(fr[0])]
        if learner:
            return learner
    return []


def _where(exc: BaseException, fn: Any, message: str) -> str:
    frames = learner_frames(exc, fn)
    if frames:
        path, line = frames[-1]
        return f"{short_path(path)}:{line}"
    for m in _AT_RE.finditer(message):
        if not is_library_file(m.group(1)):
            return f"{short_path(m.group(1))}:{m.group(2)}"
    return ""


def _subject(message: str) -> str:
    m = _ARG_RE.search(message)
    return m.group(1).strip() if m else "this value"


def _classify(exc: BaseException, message: str) -> tuple[str, str, str]:
    """(explanation, fix, concept) for ``exc``."""
    import jax

    errors = jax.errors
    subject = _subject(message)
    name = type(exc).__name__
    first = next((ln.strip() for ln in message.splitlines() if ln.strip()), "")

    if isinstance(exc, errors.TracerBoolConversionError) and "BatchTracer" in message:
        return (
            f"{subject} is a vmap tracer: it stands for a whole batch of values, and a Python "
            "`if`, `while` or `bool()` can take only one branch for all of them.",
            "Compute both results and pick per element with jnp.where(cond, a, b) (lax.select), "
            "or use lax.cond, which vmap turns into a select.",
            "select-where",
        )
    if isinstance(exc, errors.TracerBoolConversionError):
        return (
            f"{subject} is a tracer: under jit only its shape and dtype are known, not its "
            "value, so Python cannot decide the branch (an `if`, `while`, `and`/`or` or "
            "`bool()` needs a concrete True or False).",
            "If it is a setting rather than data, mark it static (static_argnums / "
            "static_argnames); otherwise compute both results and pick one with "
            "jnp.where(cond, a, b), or branch inside the trace with "
            "lax.cond(pred, true_fn, false_fn, x) (lax.while_loop / lax.fori_loop for loops).",
            "python-control-flow",
        )
    if isinstance(exc, errors.TracerIntegerConversionError):
        return (
            f"{subject} is a tracer, but Python needs a concrete integer here (range(), a "
            "list index, a shape or a count); under jit only its shape and dtype are known.",
            "Make it a static argument (static_argnums / static_argnames) so it stays a "
            "Python int while tracing; take sizes from x.shape, which is static; or loop "
            "with lax.fori_loop(0, n, body, init).",
            "static-args",
        )
    if isinstance(exc, errors.NonConcreteBooleanIndexError):
        return (
            "Indexing with a boolean mask (x[mask]) gives an array whose length depends on "
            "how many entries are True; under jit every shape must follow from shapes alone, "
            "never from values.",
            "Keep the shape fixed: jnp.where(mask, x, 0) (then reduce, e.g. "
            "jnp.sum(jnp.where(mask, x, 0))), or give a static size: "
            "jnp.nonzero(mask, size=n, fill_value=0).",
            "masking-where",
        )
    if isinstance(exc, errors.TracerArrayConversionError):
        return (
            f"{subject} is a tracer, and NumPy (np.asarray, np.* functions, .tolist()) needs "
            "real numbers, which do not exist while JAX traces the function.",
            "Use jax.numpy (jnp.*) instead of numpy inside transformed functions; print "
            "values with jax.debug.print; call host code with jax.pure_callback.",
            "tracer-errors",
        )
    if isinstance(exc, errors.UnexpectedTracerError) or "Leaked trace" in first:
        return (
            "A tracer escaped the trace that made it: it was stored in a global, a list, an "
            "attribute or a closure while JAX traced a function, and used after that trace "
            "ended.",
            "Return the value from the function instead of storing it (keep functions pure); "
            "pass state in as an argument and out as a result; jax.checking_leaks() reports "
            "the leak where it happens.",
            "leaked-tracers",
        )
    if isinstance(exc, errors.ConcretizationTypeError):
        wants_int = any(
            k in message for k in ("`int`", "`float`", "`complex`", "arange", "shape", "size")
        )
        return (
            f"{subject} is a tracer: JAX needs its concrete value here (to build a shape or "
            "to turn it into a Python number), but under jit only its shape and dtype are "
            "known.",
            "Mark it static (static_argnums / static_argnames) if it decides a shape or a "
            "Python value; keep arrays as arrays (x.astype(int) instead of int(x)); take "
            "sizes from x.shape.",
            "static-args" if wants_int else "static-vs-traced",
        )
    if "is not a valid JAX type" in message:
        return (
            "A value that is not an array (a string, None or some other object) went where "
            "JAX traces arrays, as an argument or as a result.",
            "Pass non-array settings as static arguments (static_argnums / static_argnames) "
            "and return only arrays (or pytrees of arrays).",
            "static-args",
        )
    if isinstance(exc, (TypeError, ValueError)) and re.search(
        r"incompatible shapes|shapes? mismatch|must have the same shape|broadcast", message
    ):
        return (
            f"The shapes do not fit together: {first}",
            "Check each operand's .shape (js.trace shows them line by line); reshape, "
            "transpose or add an axis with x[:, None] so that they broadcast.",
            "",
        )
    explanation = first[:300] if first else f"{name} was raised."
    return explanation, "", ""


def explain(exc: BaseException, fn: Any = None) -> dict[str, str]:
    """Explain ``exc`` raised while tracing or running ``fn``: what happened in plain words, the
    fix, the cheat-sheet concept id that teaches it and where in the learner's code."""
    result = {"explanation": "", "fix": "", "concept": "", "where": ""}
    try:
        message = clean_message(safe_str(exc))
    except Exception:  # noqa: BLE001
        message = ""
    try:
        explanation, fix, concept = _classify(exc, message)
        result.update(explanation=explanation, fix=fix, concept=concept)
    except Exception:  # noqa: BLE001 - explaining must never raise
        result["explanation"] = f"{getattr(type(exc), '__name__', 'Error')} was raised."
    try:
        result["where"] = _where(exc, fn, safe_str(exc))
    except Exception:  # noqa: BLE001
        pass
    return result
