"""Causes told by how a function was called, read from the function and the learner's own
values: a call that does not fit its signature, an option JAX does not know, a name a module
lacks or that was never imported, a dict key or attribute that is not there, plain Python
errors around JAX code. ``classify`` in ``_causes`` asks these after the JAX-specific rules."""

from __future__ import annotations

import re
import traceback
from typing import Any

# PyTorch's (and Python's) names for arguments that jax.numpy and jax.random spell NumPy's way
_NUMPY_NAMES = {
    "dim": "axis",
    "keepdim": "keepdims",
    "size": "shape",
    "axes": "axis",
    "unbiased": "ddof",
    "mean": "loc",
    "std": "scale",
}


# keywords of other libraries that JAX has no parameter for: what to do instead
_NO_SUCH_OPTION = {
    "descending": "sort ascending and reverse the result: jnp.flip(jnp.sort(x, axis), axis) "
    "(x_sorted[::-1] for 1-D), or sort -x",
    "reverse": "sort ascending and reverse the result: jnp.flip(x_sorted, axis)",
    "inplace": "JAX arrays are immutable: use the returned array (x = f(x))",
    "device": "create the array, then place it: jax.device_put(x, jax.devices()[0])",
    "requires_grad": "JAX differentiates functions, not arrays: jax.grad(f)(x)",
    "out": "JAX returns a new array: y = f(x) (there is no out= buffer)",
}


# APIs JAX removed or moved: old name -> what to use now
_MOVED_APIS = {
    "tree_map": "jax.tree.map",
    "tree_multimap": "jax.tree.map",
    "tree_leaves": "jax.tree.leaves",
    "tree_flatten": "jax.tree.flatten",
    "tree_unflatten": "jax.tree.unflatten",
    "tree_structure": "jax.tree.structure",
    "tree_reduce": "jax.tree.reduce",
    "tree_transpose": "jax.tree.transpose",
    "xla_computation": "jax.jit(f).lower(*args) (.as_text() for the IR, .compile() to run)",
    "host_callback": "jax.debug.print / jax.debug.callback (or jax.experimental.io_callback)",
    "id_tap": "jax.debug.callback",
    "id_print": "jax.debug.print",
    "maps": "jax.shard_map with a mesh (jax.make_mesh)",
    "pjit": "jax.jit (it takes in_shardings / out_shardings)",
    "optimizers": "optax (optax.adam(1e-3) etc.)",
    "stax": "flax.nnx or equinox",
    "index_update": "x.at[i].set(v)",
    "index_add": "x.at[i].add(v)",
}


# PyTorch (and NumPy-module) names that jax.numpy spells otherwise
_JNP_ALIASES = {
    "cat": "jnp.concatenate",
    "clamp": "jnp.clip",
    "masked_fill": "jnp.where(mask, value, x)",
    "numel": "x.size",
    "unsqueeze": "jnp.expand_dims",
    "permute": "jnp.transpose",
    "view": "jnp.reshape",
    "tensor": "jnp.array",
    "from_numpy": "jnp.asarray",
    "randn": "jax.random.normal(key, shape)",
    "rand": "jax.random.uniform(key, shape)",
    "randint": "jax.random.randint(key, shape, minval, maxval)",
    "random": "jax.random (with explicit keys: jax.random.normal(key, shape))",
    "manual_seed": "jax.random.key(seed)",
    "mm": "jnp.matmul",
    "bmm": "jnp.matmul",
    "t": "x.T",
    "chunk": "jnp.split",
    "gather": "jnp.take_along_axis",
    "argwhere": "jnp.argwhere",
    "nonzero": "jnp.nonzero",
    "flip": "jnp.flip",
}


def _callee(exc: BaseException, code: str, name: str) -> tuple[str, Any] | None:
    """(spelling, object) of the function called ``name`` on the learner's line, looked up in
    the learner's frame (``jnp.sum`` through the module ``jnp``, ``x.sum`` through ``x``)."""
    for spelled in re.findall(r"([A-Za-z_][\w.]*)\(", code):
        if spelled.rsplit(".", 1)[-1] != name.lstrip("_"):
            continue
        obj = _dotted_value(exc, spelled)
        if callable(obj):
            return spelled, obj
    return None


def _signature_rule(exc: BaseException, first: str, code: str) -> tuple[str, str, str] | None:
    """A call that does not fit its function's signature: the signature, and the parameter a
    wrong keyword meant (``dim=`` is ``axis=``)."""
    import difflib
    import inspect

    m = re.match(
        r"(?:[\w<>]+\.)*(\w+)\(\) (got an unexpected keyword argument '(\w+)'|missing \d+ required "
        r"(?:positional|keyword-only) arguments?|takes .* positional arguments? but|got "
        r"multiple values for argument)",
        first,
    )
    found = _callee(exc, code, m.group(1)) if m and isinstance(exc, TypeError) else None
    if not found:
        return None
    spelled, fn = found
    method_of = None
    try:
        params = list(inspect.signature(fn).parameters.values())
        if all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
            # an array method forwards to the jax.numpy function of its name, minus the array
            import jax.numpy as jnp

            method_of = inspect.signature(getattr(jnp, m.group(1).lstrip("_")))
            params = list(method_of.parameters.values())[1:]
    except (TypeError, ValueError, AttributeError):
        return None
    shown = ", ".join(
        (f"{p.name}=..." if p.kind == p.KEYWORD_ONLY else p.name)
        if p.default is inspect.Parameter.empty
        else f"{p.name}={p.default!r}"
        for p in params
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )
    signature = f"{spelled}({shown[:160] + ', ...' if len(shown) > 160 else shown})"
    bad = m.group(3)
    if bad in _NO_SUCH_OPTION and bad not in [p.name for p in params]:
        return (
            f"{spelled} takes no {bad}= (another library's option).",
            f"Instead, {_NO_SUCH_OPTION[bad]}.",
            "numpy-differences",
        )
    if bad:
        names = [p.name for p in params]
        meant = _NUMPY_NAMES.get(bad) if _NUMPY_NAMES.get(bad) in names else None
        meant = meant or next(iter(difflib.get_close_matches(bad, names, n=1, cutoff=0.5)), "")
        hint = " (ddof=1 divides by n - 1, PyTorch's unbiased=True)" if meant == "ddof" else ""
        fix = (
            f"Write {meant}= (not {bad}=){hint}: {signature}."
            if meant
            else f"{spelled} has no {bad}= parameter; its signature is {signature}."
        )
        why = f"{spelled} takes no keyword {bad}="
        if bad in _NUMPY_NAMES:
            why += " (that is PyTorch's name; JAX follows NumPy)"
    else:
        fix = f"Call it as its signature says: {signature}."
        if any(p.name.endswith("treedef") for p in params):
            fix += " A treedef comes from an example tree: jax.tree.structure(tree)."
        why = f"The call does not fit {spelled}'s parameters: {first}"
    numpy_like = spelled.startswith(("jnp.", "jax.numpy.")) or method_of is not None
    return why + ".", fix, "jax-numpy" if numpy_like else ""


# names learners use without importing them: the import that defines each
_IMPORTS = {
    "jnp": "import jax.numpy as jnp",
    "np": "import numpy as np",
    "jax": "import jax",
    "lax": "from jax import lax",
    "random": "from jax import random",
    "optax": "import optax",
    "nnx": "from flax import nnx",
    "nn": "import flax.linen as nn",
    "eqx": "import equinox as eqx",
    "hk": "import haiku as hk",
    "partial": "from functools import partial",
    "functools": "import functools",
    "P": "from jax.sharding import PartitionSpec as P",
    "NamedSharding": "from jax.sharding import NamedSharding",
    "checkify": "from jax.experimental import checkify",
    "pl": "from jax.experimental import pallas as pl",
}


# what one library calls a parameter that another names differently (PyTorch, Flax, Haiku...)
_PARAM_ALIASES = {
    "weight": ("w", "kernel", "W", "embedding"),
    "kernel": ("w", "weight", "W"),
    "w": ("kernel", "weight", "W"),
    "bias": ("b", "offset"),
    "b": ("bias",),
    "scale": ("gamma", "weight"),
    "gamma": ("scale", "weight"),
    "beta": ("bias", "offset"),
    "offset": ("beta", "bias"),
    "running_mean": ("mean",),
    "running_var": ("var",),
}


def _closest_name(name: str, names: list[str]) -> str:
    """The name in ``names`` that ``name`` most likely meant: another library's spelling of
    the same parameter, else the closest spelling."""
    import difflib

    alias = next((a for a in _PARAM_ALIASES.get(name, ()) if a in names), "")
    return alias or next(iter(difflib.get_close_matches(name, names, n=1, cutoff=0.4)), "")


def _python_error_rule(exc: BaseException, first: str, code: str) -> tuple[str, str, str] | None:
    """Plain Python errors in code around JAX, told by the learner's own values: an axis a
    shape lacks, a dict key or attribute that is not there (the closest that is), a name
    never imported, None where a value was meant, ragged nested lists."""
    import difflib

    textual = re.search(
        r"scalar index|can't multiply sequence|'str'|must be real number, not str", first
    )
    numbers = _numeric_strings(exc) if isinstance(exc, TypeError) and textual else []
    if numbers:
        where, text = numbers[0]
        return (
            f"{where} is the string {text!r}, not a number: a setting read from a config file "
            "or the command line stays text until it is converted.",
            f"Convert it where it is read: float({where}) (int(...) for a count).",
            "",
        )
    named = re.search(r"'str' object is not callable", first) and next(
        (
            m
            for src in _learner_sources(exc)
            for m in re.finditer(r"checkpoint\(.*policy\s*=\s*[\"'](\w+)[\"']", src)
        ),
        None,
    )
    if named:
        policy = named.group(1)
        return (
            f"jax.checkpoint's policy is a function that decides what to save, and it was given "
            f"the string {policy!r}.",
            f"Pass the function itself: policy=jax.checkpoint_policies.{policy} (no quotes; "
            "the ones that take settings, such as save_only_these_names, are called first).",
            "checkpoint",
        )
    factory = _initializer_factory(exc) if isinstance(exc, TypeError) else ""
    if factory:
        return (
            f"{factory} is not an initializer but a factory of one: it takes the settings (a "
            "scale, a distribution) and returns the function that draws the weights.",
            f"Call it and pass what it returns: kernel_init={factory}() (with settings where it "
            "takes them, e.g. initializers.normal(stddev=0.02)).",
            "",
        )
    axis = re.search(r"([\w.]+)\.shape\[(-?\d+)\]", code)
    if isinstance(exc, IndexError) and "tuple index out of range" in first and axis:
        value = _frame_value(exc, axis.group(1).split(".")[0])
        shape = getattr(value, "shape", None) if "." not in axis.group(1) else None
        has = (
            f"has shape {tuple(shape)}, {len(shape)} axes"
            if shape is not None
            else "has fewer axes"
        )
        return (
            f"{axis.group(1)} {has}, so {axis.group(1)}.shape[{axis.group(2)}] does not exist.",
            f"Index an axis it has (check {axis.group(1)}.ndim); under jax.vmap each example has "
            "one axis less than the batch, so count axes per example (or use shape[-1] for the "
            "last).",
            "broadcasting-reshaping",
        )
    if isinstance(exc, KeyError):
        chain = re.search(r"([A-Za-z_]\w*)((?:\[['\"][^'\"]+['\"]\])+)", code)
        value = _frame_value(exc, chain.group(1)) if chain else None
        missing = str(exc.args[0]) if exc.args else ""
        for key in re.findall(r"\[['\"]([^'\"]+)['\"]\]", chain.group(2) if chain else ""):
            if not isinstance(value, dict):
                break
            if key == missing:
                keys = [str(k) for k in value]
                close = _closest_name(key, keys)
                hint = f" (did you mean {close!r}?)" if close else ""
                return (
                    f"The dict has no key {key!r}: its keys are {keys}.",
                    f"Use one of its keys{hint}; print jax.tree_util.keystr paths, or "
                    "jax.tree_util.tree_map_with_path, to see a params tree's names.",
                    "params-as-pytrees",
                )
            value = value.get(key)
    attr = re.match(r"'(\w+)' object has no attribute '(\w+)'", first)
    array_like = ("mean", "sum", "max", "min", "reshape", "astype", "item", "ndim", "T", "at")
    if isinstance(exc, AttributeError) and attr and attr.group(1) in ("tuple", "list"):
        if attr.group(2) in array_like:
            return (
                f"This value is a {attr.group(1)}, not an array: a function returned several "
                "values together (checkify gives (err, out), value_and_grad (value, grads), "
                "has_aux ((loss, aux), grads), apply with mutable= (out, updates), "
                "jax.random.split an array of keys).",
                "Unpack it first, e.g. err, out = checkify.checkify(f)(x) (then err.throw() to "
                "raise), and use the array you need.",
                "",
            )
    if isinstance(exc, AttributeError) and attr and attr.group(1) != "NoneType":
        owner = re.search(rf"([A-Za-z_][\w]*)\.{attr.group(2)}\b", code)
        value = _frame_value(exc, owner.group(1)) if owner else None
        names = [n for n in dir(value) if not n.startswith("_")] if value is not None else []
        close = _closest_name(attr.group(2), names)
        if value is not None and type(value).__name__ == attr.group(1) and names:
            return (
                f"{owner.group(1)} (a {attr.group(1)}) has no attribute {attr.group(2)!r}.",
                (f"Did you mean {owner.group(1)}.{close}? " if close else "")
                + f"Its attributes: {', '.join(names[:12])}.",
                "",
            )
    name = re.match(r"name '(\w+)' is not defined", first)
    if isinstance(exc, NameError) and name:
        n = name.group(1)
        if n in _IMPORTS:
            return (f"{n} is used but never imported.", f"Add the import: {_IMPORTS[n]}.", "")
        seen = set()
        for frame in traceback.walk_tb(exc.__traceback__):
            seen |= set(frame[0].f_globals) | set(frame[0].f_locals)
        close = difflib.get_close_matches(n, sorted(seen), n=1, cutoff=0.7)
        if close:
            return (f"No name {n!r} is defined here.", f"Did you mean {close[0]}?", "")
    factory = (
        re.match(
            r"(normal|uniform|truncated_normal|lecun_normal|lecun_uniform|he_normal|he_uniform|"
            r"glorot_normal|glorot_uniform|xavier_normal|xavier_uniform|kaiming_normal|"
            r"kaiming_uniform|variance_scaling|orthogonal|constant|delta_orthogonal)\(\) takes",
            first,
        )
        or re.match(r"'function' object is not subscriptable", first)
        and "init" in code
    )
    if factory:
        name = factory.group(1) if factory.re.groups else "normal"
        return (
            f"Initializers such as {name} are factories: {name}() returns the initializer, a "
            "function of (key, shape, dtype), and the factory itself was passed.",
            f"Call it first: kernel_init=nn.initializers.{name}() (with its options, e.g. "
            "normal(stddev=0.02)).",
            "flax-linen" if "nnx" not in code else "flax-nnx",
        )
    if re.match(
        r"(bad operand type for unary .|unsupported operand type\(s\) for .+): .*'function'", first
    ):
        return (
            "A function was used as a number: a learning-rate schedule (or a model's apply) "
            "is a function of the step, not a value.",
            "Call it first: lr = schedule(step) (optax passes the step count itself when the "
            "schedule is given to the optimizer: optax.adam(schedule)).",
            "schedules",
        )
    if isinstance(exc, AttributeError) and re.search(r"tree(_util)?\.(tree_)?leaves\(", code):
        return (
            "Not every leaf of this tree is an array: models also hold functions, ints and "
            "other Python values as leaves.",
            "Keep the arrays only: jax.tree.leaves(eqx.filter(model, eqx.is_array)), or "
            "[x for x in jax.tree.leaves(tree) if isinstance(x, jax.Array)].",
            "params-as-pytrees",
        )
    if "inhomogeneous shape" in first or "setting an array element with a sequence" in first:
        return (
            "Nested lists of different lengths (ragged data) cannot become one array: every row "
            "must have the same length.",
            "Pad the rows to one length (and keep a mask of the real entries), or keep a Python "
            "list of arrays; jnp.stack and jnp.array need equal shapes.",
            "array-creation",
        )
    none = re.match(
        r"'NoneType' object (is not (subscriptable|callable|iterable)|has no attribute)", first
    ) or re.match(r"unsupported operand type\(s\) for .+'NoneType'", first)
    source = _none_source(exc, code) if none else None
    if source and re.search(r"debug\.(callback|print)\(|io_callback\(", source[1]):
        name, rhs = source
        return (
            f"{name} is None: {rhs.partition('(')[0]} runs a function on the host for its effect "
            "and gives nothing back to the computation.",
            "To bring a host value back into the computation use jax.pure_callback(fn, "
            "jax.ShapeDtypeStruct(shape, dtype), *args) (io_callback with a result shape when "
            "the function has side effects); jax.debug.callback is for printing and logging.",
            "pure-callback",
        )
    if none:
        came = f" (`{source[0]} = {source[1]}` gave None)" if source else ""
        return (
            f"A value here is None{came}: most often a function that forgot its return "
            "statement (it returns None), or an optional argument or attribute left unset.",
            "Find where the value comes from and return or set it: a function that computes a "
            "result must end with `return result`.",
            "",
        )
    return None


def _none_source(exc: BaseException, code: str) -> tuple[str, str] | None:
    """``(name, right-hand side)`` for a name on ``code`` that is None in the learner's frame,
    read from the assignment that set it in that function's source, else None."""
    return _assigned(exc, code, lambda value: value is None)


def _assigned(exc: BaseException, code: str, test: Any) -> tuple[str, str] | None:
    """``(name, right-hand side)`` for the first name on ``code`` whose value in a frame of
    ``exc``'s traceback passes ``test``, read from the assignment that set it in that frame's
    function, else None."""
    import inspect

    frames = [frame for frame, _ in traceback.walk_tb(exc.__traceback__)]
    names = dict.fromkeys(re.findall(r"(?<![.\w])([A-Za-z_]\w*)", code))
    for frame in reversed(frames):
        for name in names:
            if name not in frame.f_locals or not test(frame.f_locals[name]):
                continue
            try:
                lines, _ = inspect.getsourcelines(frame.f_code)
            except (OSError, TypeError):
                continue
            for ln in lines:
                assigned = re.match(rf"\s*{name}\s*=\s*(.+)", ln)
                if assigned:
                    return name, assigned.group(1).strip()
    return None


def _numeric_strings(exc: BaseException) -> list[tuple[str, str]]:
    """``(where, text)`` for strings that read as numbers among the locals of the learner's
    frames (outside installed packages), and the values of their dicts: a setting read from a
    config file or the command line and never converted."""
    out = []
    for frame in _learner_frames(exc):
        for name, value in frame.f_locals.items():
            items = value.items() if isinstance(value, dict) else [(None, value)]
            for key, item in items:
                if isinstance(item, str) and _reads_as_number(item):
                    out.append((f"{name}[{key!r}]" if key is not None else name, item))
    return out


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_INSTALLED = re.compile(r"[/\\](site|dist)-packages[/\\]")


def _learner_frames(exc: BaseException) -> list[Any]:
    """The frames of ``exc``'s traceback outside installed packages, outermost first."""
    return [
        frame
        for frame, _ in traceback.walk_tb(exc.__traceback__)
        if not _INSTALLED.search(frame.f_code.co_filename)
    ]


def _learner_sources(exc: BaseException) -> list[str]:
    """The source of each function in ``exc``'s traceback outside installed packages, from its
    ``def`` line (its decorators left out), innermost first."""
    import inspect

    out = []
    for frame in _learner_frames(exc):
        try:
            source = inspect.getsource(frame.f_code)
        except (OSError, TypeError):
            continue
        body = re.search(r"^[ \t]*(?:async[ \t]+)?def[ \t]", source, re.M)  # past decorators
        out.append(source[body.start() :] if body else source)
    return out[::-1]


def _initializer_factory(exc: BaseException) -> str:
    """The dotted name of an initializer factory (``initializers.he_normal``, which takes the
    scale and returns the initializer) passed without calling it, read from the source of the
    learner's frames, else ''."""
    import inspect

    for source in _learner_sources(exc):
        for dotted in re.findall(r"([\w.]*initializers\.\w+)(?!\w|\s*\()", source):
            value = _dotted_value(exc, dotted)
            try:
                params = list(inspect.signature(value).parameters)
            except (TypeError, ValueError):
                continue
            if params and params[0] != "key":
                return dotted
    return ""


def _missing_arguments_rule(exc: BaseException, first: str) -> tuple[str, str, str] | None:
    """A function that no rule knows was called without arguments it requires: name them."""
    missing = re.search(
        r"([\w.<>]+)\(\) missing \d+ required (positional|keyword-only) arguments?: (.+)$", first
    )
    if not missing or not isinstance(exc, TypeError):
        return None
    owner, _, names = missing.groups()
    own = {frame.name for frame in traceback.extract_tb(exc.__traceback__)}
    if "<lambda>" in owner or owner.split(".")[0] in own:
        return None  # the learner's own function, called by JAX: the call site says more
    names = re.findall(r"'(\w+)'", names)
    called = owner.replace(".<locals>.", ".").replace(".__init__", "")
    them = "it" if len(names) == 1 else "them"
    return (
        f"{called} needs {', '.join(names)}, and the call does not give {them}.",
        "Pass " + ", ".join(f"{n}=..." for n in names) + f" to the call ({called} "
        f"requires {them} on every call).",
        "",
    )


def _choice_rule(exc: BaseException, message: str, code: str) -> tuple[str, str, str] | None:
    """A string option JAX does not know (a mode, a norm, a padding): the closest one that
    JAX's message lists, or else that the docstring of the function called quotes."""
    import difflib

    given = [
        (kw, v)
        for kw, v in re.findall(r"(?:(\w+)\s*=\s*)?[\"']([\w-]+)[\"']", code)
        if v in message
    ]
    quoted = r"[\"'`]([\w-]+)[\"'`]"
    options = list(dict.fromkeys(re.findall(quoted, message)))
    for kw, value in given:
        listed = [o for o in options if o != value]
        meant = difflib.get_close_matches(value, listed, n=1, cutoff=0.0) if len(listed) > 1 else []
        if not meant:  # the options the docstring of the call holding the value quotes
            for name in reversed(re.findall(r"(\w+)\(", code.partition(value)[0])):
                found = _callee(exc, code, name)
                doc = (getattr(found[1], "__doc__", "") or "") if found else ""
                listed = [o for o in dict.fromkeys(re.findall(quoted, doc)) if o != value]
                meant = difflib.get_close_matches(value, listed, n=1, cutoff=0.6)
                if meant:
                    listed = []  # a docstring quotes more than options: name the closest only
                    break
        if not meant:
            continue
        meant = meant[0]
        spelled = f"{kw}={meant!r}" if kw else repr(meant)
        return (
            f"{value!r} is not an option that JAX knows here.",
            f"Pass one it knows{' (' + ', '.join(map(repr, listed)) + ')' if listed else ''}: "
            f"{spelled} is the closest to {value!r}; check the docs for which one means what "
            "you want.",
            "",
        )
    return None


def _module_attribute_rule(first: str) -> tuple[str, str, str] | None:
    """A name a JAX module does not have: PyTorch's spelling of it, or the closest it has."""
    import difflib
    import sys

    m = re.match(r"module '([\w.]+)' has no attribute '(\w+)'", first) or re.match(
        r"cannot import name '(\w+)' from '([\w.]+)'", first
    )
    if m and first.startswith("cannot import"):
        name, where = m.groups()
    elif m:
        where, name = m.groups()
    else:
        return None
    if where.startswith("jax") and name in _MOVED_APIS:
        return (
            f"{where}.{name} was removed from JAX (or moved).",
            f"Use {_MOVED_APIS[name]}.",
            "tree-map"
            if name.startswith("tree")
            else {"host_callback": "io-callback", "id_tap": "io-callback"}.get(name, "")
            or {"id_print": "debug-print", "xla_computation": "aot", "maps": "shard-map"}.get(
                name, ""
            ),
        )
    module = sys.modules.get(where)
    if module is None or not where.startswith("jax"):
        return None
    if not first.startswith("cannot import") and _is_submodule(f"{where}.{name}"):
        return (
            f"{where}.{name} is a submodule that `import {where}` does not load, so the "
            "attribute is missing until it is imported.",
            f"Import it first: import {where}.{name} (or from {where} import {name}).",
            "scipy-linalg" if where.startswith("jax.scipy") else "",
        )
    short = where.replace("jax.numpy", "jnp")
    meant = _JNP_ALIASES.get(name) if short == "jnp" else None
    if not meant:
        close = difflib.get_close_matches(
            name, [n for n in dir(module) if not n.startswith("_")], n=1
        )
        meant = f"{short}.{close[0]}" if close else ""
    return (
        f"{short} has no {name}"
        + (" (that is PyTorch's name)" if name in _JNP_ALIASES else "")
        + ".",
        f"Use {meant}." if meant else f"Look the function up in the {short} docs.",
        "jax-numpy" if short == "jnp" else "",
    )


def _is_submodule(dotted: str) -> bool:
    """Whether ``dotted`` (``jax.scipy.optimize``) names a module that can be imported."""
    import importlib.util

    try:
        return importlib.util.find_spec(dotted) is not None
    except (ImportError, ValueError):
        return False


def _frame_value(exc: BaseException, name: str) -> object:
    """The object ``name`` refers to in the innermost frame of ``exc``'s traceback that has it
    (the learner's function, say), else None."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        scope = {**tb.tb_frame.f_globals, **tb.tb_frame.f_locals}
        if name in scope:
            found = scope[name]
        tb = tb.tb_next
    return found


def _dotted_value(exc: BaseException, dotted: str) -> object:
    """The object ``a.b.c`` names in the learner's frame (``a`` looked up by
    :func:`_frame_value`, then its attributes), else None."""
    head, *rest = dotted.split(".")
    value = _frame_value(exc, head)
    for part in rest:
        value = getattr(value, part, None)
    return value
