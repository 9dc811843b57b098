"""Plain-words explanations of the errors learners meet when JAX traces their code.

``explain(exc, fn)`` returns a dict with ``explanation``, ``fix``, ``concept`` (a cheat-sheet
concept id) and ``where`` (``file:line`` in the learner's code, when it can be found). It is used
by every error panel, so it is cheap (no file reading) and never raises. The causes and their
fixes are :mod:`._causes`'s; this module finds where the error happened in the learner's code and,
for a cause no rule knows, falls back on JAX's own advice and the cheat sheet.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import sysconfig
from typing import Any

from ._causes import classify, library_concept

_CELL_RE = re.compile(r"ipykernel_\d+[/\\]\d+\.py$|[/\\]ipython-input-")
_PATH_RE = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s:'\"()<>]*[/\\]([^\s:'\"()<>/\\]+\.py)")
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


def _spellings(api: str) -> tuple[str, ...]:
    """How code calls ``api``: ``jax.numpy.split`` is written ``jnp.split`` (or in full),
    ``jax.lax.select`` ``lax.select``, ``jax.random.choice`` ``random.choice``."""
    parts = api.split(".")
    if len(parts) < 2 or parts[0] != "jax" or parts[1][:1].isupper():
        return ()
    short = ".".join(parts[-2:])
    names = {api, short, api.replace("jax.numpy.", "jnp.")}
    return tuple(n for n in names if n.count(".") >= 1 and not n.startswith("numpy."))


_ADVICE_RE = re.compile(
    r"\b(?:try using|try |use |consider|instead|you can|pass |set |call |make sure|should|"
    r"might need|replace|wrap |annotate|did you mean|add |remember|for reference)",
    re.I,
)


def _own_words(message: str) -> str:
    """``message`` without the paragraph JAX appends on where it was tracing."""
    return message.split("The error occurred while tracing")[0]


def _jax_advice(message: str) -> str:
    """The library's own advice in ``message``, for a cause no rule knows: its sentences that say
    what to do ("try using x.astype(int)", "You might need to replace ... with ..."), at most
    two; a numbered list of options is kept whole (each option with its code)."""
    text = _own_words(message)
    options = re.findall(r"^\s*\d\.\s+(.+?)(?=^\s*\d\.\s|\Z)", text, re.M | re.S)
    if len(options) > 1:
        said = [re.sub(r"\s+", " ", o).strip().rstrip(":") for o in options[:4]]
        return "Options: " + " | ".join(o for o in said if "http" not in o)
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z`])", re.sub(r"\s+", " ", text))
    advice = [
        s.strip()
        # the first says what went wrong, unless it is all there is ("If ... then use ...")
        for s in (sentences[1:] if len(sentences) > 1 else sentences)
        if _ADVICE_RE.search(s) and "http" not in s and len(s) < 300
    ]
    return " ".join(advice[:2])


_REQUIREMENT_RE = re.compile(
    r"(?:(?<=^)|(?<=[.:;] ))(?:(?![.:;] )[^\n])*?\b(?:must|should|has to|have to|requires?|"
    r"expects?|expected|only (?:supports?|accepts?))\b(?:(?!\. |; )[^\n])*",
    re.I,
)


def _requirement(message: str) -> str:
    """What JAX's message says must hold ("update must have the same rank as operand"), as the
    first step of a fix no rule knows: the condition to make true on this line."""
    text = re.sub(r"\s+", " ", _own_words(message))
    found = _REQUIREMENT_RE.search(text)
    if not found or len(found.group(0)) > 240 or "http" in found.group(0):
        return ""
    said = found.group(0).strip(" ,.")
    return f"Make the call meet what JAX requires: {said[0].lower() + said[1:]}."


def _cheatsheet_fix(line: str, message: str) -> tuple[str, str] | None:
    """(fix, concept) from the cheat-sheet row of the JAX function called on ``line``, for a
    cause no rule knows: how that function is meant to be called, in the row's own words."""
    from ._cheatsheet import concepts

    words = set(re.findall(r"[a-z_]{4,}", message.lower()))
    found: list[tuple[bool, int, int, Any, str, str]] = []
    for c in concepts():
        for api in c.apis:
            for spelled in _spellings(api):
                m = re.search(rf"(?<![\w.]){re.escape(spelled)}\(", line)
                if m:
                    text = " ".join((c.title, *c.description)).lower()
                    named = api.rsplit(".", 1)[-1] in message
                    score = sum(w in text for w in words)
                    found.append((named, len(spelled), score, c, spelled, api))
    if not found:
        return None
    *_, c, spelled, api = max(found, key=lambda f: f[:3])
    usage = [
        ln.split("#")[0].strip()
        for ln in c.example.splitlines()
        if any(f"{name}(" in ln for name in _spellings(api))
    ]
    example = f" For example: {usage[0]}" if usage else ""
    rules = "; ".join(c.description)
    return f"Check how {spelled} is called (cheat sheet, {c.title}): {rules}.{example}", c.id


def _source_line(exc: BaseException, fn: Any) -> str:
    """The source text of the innermost learner frame of ``exc``."""
    import linecache

    frames = learner_frames(exc, fn)
    if not frames:
        return ""
    path, line = frames[-1]
    return _whole_statement(linecache.getlines(path), line)


def _whole_statement(lines: list[str], line: int) -> str:
    """Line ``line`` (1-based) of ``lines``, joined with the lines that follow while its brackets
    are open: a call split over lines is read whole."""
    import ast

    text = lines[line - 1] if 0 < line <= len(lines) else ""
    depth = sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")
    if depth <= 0:
        return text
    for end in range(line, min(line + 12, len(lines))):
        joined = " ".join(ln.strip() for ln in lines[line - 1 : end + 1])
        try:
            ast.parse(joined)
        except SyntaxError:
            continue
        return lines[line - 1][: len(text) - len(text.lstrip())] + joined + "\n"
    return text


_TRACED_FN_RE = re.compile(
    r"(?:while tracing the function|when the value leaked was) (\S+) at (\S+\.py):(\d+)"
)
_REFERRER_RE = re.compile(
    r"referred to by (?:[\w.]+\.(\w+)$|.*closed-over variable (\w+)|.*\.(\w+) attribute)", re.M
)
_STORE_RE = re.compile(
    r"\.(append|extend|insert|add|update|setdefault)\(|^\s*(global|nonlocal)\b|"
    r"^\s*[\w.]+\[.*\]\s*=[^=]|^\s*[\w]+\.\w+\s*=[^=]"
)


def _function_body(path: str, start: int) -> list[tuple[int, str]]:
    """The (number, text) of each line in the body of the function defined at ``path:start``
    (its decorators skipped)."""
    import linecache

    lines = linecache.getlines(path)
    if not 0 < start <= len(lines):
        return []
    while start < len(lines) and not re.match(r"\s*(async\s+)?def\b", lines[start - 1]):
        start += 1  # skip decorators
    indent = len(lines[start - 1]) - len(lines[start - 1].lstrip())
    body: list[tuple[int, str]] = []
    for n in range(start + 1, len(lines) + 1):
        text = lines[n - 1]
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        body.append((n, text))
    return body


_RETURNED_RE = re.compile(r"function (\S+) at (\S+\.py):(\d+) traced for \w+ returned")


def return_site(message: str) -> tuple[str, int] | None:
    """Where a traced function returned a value JAX cannot hold (a string, an object): its last
    ``return`` line, from the raw message that names the function (``(file, line)``)."""
    m = _RETURNED_RE.search(message)
    if not m or is_library_file(m.group(2)):
        return None
    path = m.group(2)
    returns = [
        n for n, text in _function_body(path, int(m.group(3))) if text.lstrip().startswith("return")
    ]
    return (path, returns[-1]) if returns else None


def leak_site(message: str, fallback: tuple[str, int] | None = None) -> tuple[str, int] | None:
    """Where a leaked tracer was stored, from the raw message of a leak error: the line of the
    function JAX was tracing that writes to the variable holding it (``(file, line)``).
    ``fallback`` (file, first line) is the function to search when JAX names a library one."""
    m = _TRACED_FN_RE.search(message)
    if m and not is_library_file(m.group(2)):
        path, start = m.group(2), int(m.group(3))
    elif fallback:
        path, start = fallback
    else:
        return None
    names = {n for g in _REFERRER_RE.findall(message) for n in g if n}
    body = _function_body(path, start)
    for n, text in body:
        if _STORE_RE.search(text) and (
            not names or any(re.search(rf"\b{re.escape(k)}\b", text) for k in names)
        ):
            return path, n
    for n, text in body:
        if _STORE_RE.search(text):
            return path, n
    return None


def _within(code: Any, site: tuple[str, int]) -> bool:
    """Whether ``(file, line)`` lies inside the source of ``code``."""
    first, last = code_range(code)
    return site[0] == code.co_filename and first <= site[1] <= last


# the concept that teaches a JAX namespace as a whole, for a fix no row of it teaches
_NAMESPACE_CONCEPTS = (
    (r"(?<![\w.])(jnp|jax\.numpy)\.\w", "jax-numpy"),
    (r"(?<![\w.])(jax\.)?random\.\w", "samplers"),
    (r"(?<![\w.])jax\.tree(_util)?\.\w", "tree-map"),
    (r"(?<![\w.])(jax\.)?scipy\.\w", "scipy-linalg"),
    (r"(?<![\w.])(jax\.)?lax\.\w", "lax-vs-jnp"),
)


def _namespace_concept(line: str) -> str:
    return next((c for pattern, c in _NAMESPACE_CONCEPTS if re.search(pattern, line)), "")


def explain(exc: BaseException, fn: Any = None, rename: Any = None) -> dict[str, str]:
    """Explain ``exc`` raised while tracing or running ``fn``: the error's name (a leak found by
    ``jax.checking_leaks`` is an ``UnexpectedTracerError``), what happened in plain words, the fix
    for this cause, the cheat-sheet concept id that teaches it and where in the learner's code;
    ``general`` is true when no rule knew the cause and the fix is JAX's own advice and the
    cheat-sheet row of the function called. ``rename`` maps JAX's message to the learner's
    names (js.trace wraps the function, so JAX names the wrapper's parameters)."""
    result: dict[str, Any] = {
        "name": "",
        "explanation": "",
        "fix": "",
        "concept": "",
        "where": "",
        "general": False,
    }
    try:
        message = clean_message((rename or str)(safe_str(exc)))
    except Exception:  # noqa: BLE001
        message = ""
    try:
        result["where"] = _where(exc, fn, safe_str(exc))
    except Exception:  # noqa: BLE001
        pass
    try:
        line = _source_line(exc, fn) if result["where"] else ""
        name, explanation, fix, concept = classify(exc, message, line)
        if not fix:  # no rule knows the cause: JAX's own advice and the cheat sheet's row
            advice = _jax_advice(message) or _requirement(message)
            row = _cheatsheet_fix(line, message) if line else None
            fix = " ".join(filter(None, (advice, row and row[0])))
            concept = row[1] if row else concept
            result["general"] = bool(fix)
        elif not concept and line:  # a fix no concept teaches: the row of the function called
            concept = (_cheatsheet_fix(line, message) or ("", ""))[1]
        concept = concept or library_concept(exc, line) or _namespace_concept(line)
        site = leak_site(safe_str(exc)) if concept == "leaked-tracers" else None
        if site:
            explanation += f" It was stored at {short_path(site[0])}:{site[1]}."
        site = site or return_site(safe_str(exc))
        code = code_of(fn)
        frames = learner_frames(exc, fn)
        used_in_fn = (  # a leaked tracer used later in fn (not the leak checker's report)
            "Leaked trace" not in message
            and concept == "leaked-tracers"
            and code is not None
            and bool(frames)
            and _within(code, frames[-1])
        )
        if site and (code is None or _within(code, site)) and not used_in_fn:
            # JAX raised after the trace: point at the store or the return in fn instead (a
            # leaked tracer used later in fn is pointed at where it is used; the store is named)
            result["where"] = f"{short_path(site[0])}:{site[1]}"
        result.update(name=name, explanation=explanation, fix=fix, concept=concept)
    except Exception:  # noqa: BLE001 - explaining must never raise
        result["name"] = getattr(type(exc), "__name__", "Error")
        result["explanation"] = f"{result['name']} was raised."
    return result


def coach_hint(exc: BaseException, fn: Any = None) -> str:
    """The coach's words for a JAX error caught by an exercise check: what happened and the fix
    for this cause (with the cheat-sheet concept), or ``""`` when it has no specific fix (only
    the general advice, where the exercise's own hint is better)."""
    info = explain(exc, fn)
    if not info["fix"] or info.get("general"):  # the exercise's own hint says more
        return ""
    concept = f" (cheat sheet: {info['concept']})" if info["concept"] else ""
    return f"{info['explanation']} {info['fix']}{concept}"
