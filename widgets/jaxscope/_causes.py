"""What each error JAX raises means, and the fix for its cause: the rules of the error coach.

:func:`classify` reads an exception, its message and the learner's source line where it was
raised, and returns the error's name, what happened in plain words, the fix for this cause and
the cheat-sheet concept that teaches it. The causes known by the first line of JAX's message
alone are one table, ``_MESSAGE_RULES``; the rest need the line or the exception's class.
Causes told by how a function was called (its signature, its options, the learner's own values)
are :mod:`._causes_calls`'s. Where it happened, and the fallback for causes no rule knows, are
:mod:`._explain`'s.
"""

from __future__ import annotations

import dataclasses
import re
import traceback

from ._causes_calls import (
    _assigned,
    _choice_rule,
    _dotted_value,
    _frame_value,
    _learner_frames,
    _learner_sources,
    _missing_arguments_rule,
    _module_attribute_rule,
    _python_error_rule,
    _signature_rule,
)

_QUOTES = "\"'"
_ARG_RE = re.compile(r"the values? of the arguments? ([^\n]+?)\.(?:\s|$)")


def _subject(message: str) -> str:
    m = _ARG_RE.search(message)
    return m.group(1).strip() if m else "this value"


_CALL_RE = r"(?<![\w.])(?:jax\.)?{}\("  # lax.scan( and jax.lax.scan( alike
_INDEXED_RE = r"([A-Za-z_][\w.]*)\[([^\]]*)\]"
_ASSIGN_RE = re.compile(r"^\s*([A-Za-z_][\w.]*)\[(.+?)\]\s*([-+*/]?)=\s*(.+?)\s*$")
_AT_METHOD = {"": "set", "+": "add", "-": "subtract", "*": "multiply", "/": "divide"}
_TYPE_RE = re.compile(r"type <class '([\w.<>]+)'>|type '<class '([\w.<>]+)'>'")
_PATH_ARG_RE = re.compile(r"at path (\w+)")
_ITERATOR_TYPES = ("iterator", "generator", "map", "filter", "zip", "range")


def _has_call(line: str, *names: str) -> bool:
    return any(re.search(_CALL_RE.format(re.escape(n)), line) for n in names)


def _value_type(message: str) -> str:
    m = _TYPE_RE.search(message)
    return (m.group(1) or m.group(2)).rsplit(".", 1)[-1] if m else ""


# argument names that say "a Python flag", not data
_FLAG_NAMES = (
    r"(is_|use_|do_|with_)?(train|training|deterministic|inference|evaluate|eval|test|debug|"
    r"verbose|causal|normalize|reverse|flag|enabled?|stochastic|dropout|return_\w+)"
)


def _registered_node_init(exc: BaseException) -> bool:
    """Whether ``exc`` was raised in the ``__init__`` of a class the learner's code registers
    as a pytree node (which JAX calls with tracers when it unflattens one)."""
    frames = _learner_frames(exc)
    last = frames[-1] if frames else None  # the learner's innermost frame
    owner = last.f_locals.get("self") if last and last.f_code.co_name == "__init__" else None
    name = type(owner).__name__ if owner is not None else ""
    registered = (
        rf"register_pytree_node\(\s*{name}\b|register_dataclass\(\s*{name}\b|"
        rf"register_pytree_(?:node_class|with_keys_class)\s*\n\s*class {name}\b"
    )
    return bool(name) and any(re.search(registered, src) for src in _learner_sources(exc))


def _chained_comparison(code: str) -> tuple[str, str] | None:
    """The two halves of a chained comparison (``0 < p < box``) on the line, else None."""
    import ast

    try:
        tree = ast.parse(code.strip().rstrip(":").removeprefix("if ").removeprefix("while "))
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 2:
            a, b, c = node.left, *node.comparators
            ops = [
                ast.unparse(ast.Compare(left=x, ops=[op], comparators=[y]))
                for x, op, y in ((a, node.ops[0], b), (b, node.ops[1], c))
            ]
            return ops[0], ops[1]
    return None


def _next_statement(exc: BaseException, line: str) -> str:
    """The stripped text of the line after ``line`` in the learner's frame that raised, else ''."""
    import linecache

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.lineno and (frame.line or "").strip() == line.strip():
            return linecache.getline(frame.filename, frame.lineno + 1).strip()
    return ""


def _bool_rule(exc: BaseException, message: str, line: str, subject: str) -> tuple[str, str, str]:
    """A tracer (or an array of several values) asked for one Python True/False."""
    code = line.strip()
    chained = _chained_comparison(code)
    if chained:
        left, right = chained
        return (
            "Python reads a chained comparison a < b < c as (a < b) and (b < c), and `and` "
            "asks each traced side for one Python bool.",
            f"Combine the two tests elementwise: ({left}) & ({right}) (or "
            f"jnp.logical_and({left}, {right})).",
            "python-control-flow",
        )
    if "BatchTracer" in message:
        return (
            f"{subject} is a vmap tracer: it stands for a whole batch of values, and a Python "
            "`if`, `while` or `bool()` can take only one branch for all of them.",
            "Compute both results and pick per element with jnp.where(cond, a, b) (lax.select), "
            "or use lax.cond, which vmap turns into a select.",
            "select-where",
        )
    if _registered_node_init(exc):
        return (
            "JAX rebuilds a custom pytree node with tracers (its unflatten calls the class), so "
            "a check of the values in __init__ runs while tracing and cannot give a bool.",
            "Keep __init__ free of value checks: check in a factory (a @classmethod such as "
            "create(...), or a validate() you call on concrete inputs), and let unflatten build "
            "the node without __init__: obj = object.__new__(cls), then set the fields.",
            "custom-nodes",
        )
    if code.startswith(("if ", "elif ")) and _next_statement(exc, line).startswith("break"):
        return (
            f"The loop stops early when {subject} says so, but {subject} is traced: how many "
            "steps run would depend on a value that is not known while tracing, and Python "
            "cannot decide the `if ... break`.",
            "Write the loop as lax.while_loop(cond_fun, body_fun, init): the stopping test goes "
            "in cond_fun (e.g. lambda s: (s.loss >= 1e-3) & (s.step < 100)) and one step in "
            "body_fun; or run all the steps with lax.fori_loop and freeze the result once done "
            "with jnp.where.",
            "while-loop",
        )
    what = f"{subject} is a tracer: under jit only its shape and dtype are known, not its value"
    flag = re.search(r"depends on the value of the argument (\w+)\.", message)
    if flag and "bool[]" in message and re.fullmatch(_FLAG_NAMES, flag.group(1)):
        name = flag.group(1)
        return (
            f"{name} looks like a Python flag (True/False), but as an argument of the jitted "
            "function it is traced, so Python cannot branch on it while tracing.",
            f"Mark it static so each value compiles its own version: jax.jit(f, "
            f"static_argnames=({name!r},)) (or static_argnums); flax and equinox layers take "
            "such flags as Python bools.",
            "static-args",
        )
    if _has_call(code, "min", "max"):
        return (
            f"{what}. Python's min() and max() compare their arguments with `<`, which needs a "
            "concrete True or False.",
            "Use jnp.minimum(a, b) / jnp.maximum(a, b) for two values (elementwise), or "
            "jnp.min(x) / jnp.max(x) to reduce an array; jnp.clip(x, lo, hi) clamps.",
            "python-control-flow",
        )
    if code.startswith("assert"):
        return (
            f"{what}, so `assert` cannot decide whether the condition holds while tracing.",
            "Check values at run time with jax.experimental.checkify (checkify.check(cond, msg)), "
            "or assert on shapes (static) instead; outside jit a plain assert works.",
            "checkify",
        )
    if re.search(r"\b(and|or|not)\b", code) and not re.match(r"(if|elif|while)\b", code):
        return (
            f"{what}. Python's `and`, `or` and `not` ask each operand for a single True or "
            "False before combining them.",
            "Combine traced booleans elementwise with jnp.logical_and(a, b) / "
            "jnp.logical_or(a, b) / jnp.logical_not(a) (or the operators &, |, ~), and pick "
            "results with jnp.where(cond, a, b).",
            "python-control-flow",
        )
    if code.startswith("while"):
        return (
            f"{what}, so a Python `while` cannot decide when to stop while tracing.",
            "Write the loop with lax.while_loop(cond_fun, body_fun, init) (a traced condition), "
            "or lax.fori_loop(0, n, body, init) when the count is known; if the condition "
            "depends only on a setting, mark that argument static (static_argnums).",
            "while-loop",
        )
    callee = re.search(r"(?<![\w.])((?:jax|jnp|lax|random)\.[\w.]+)\([^()]*\)", code)
    if callee and not re.search(r"\b(if|elif|while|and|or|not|bool|assert)\b", code):
        return (
            f"{what}, and {callee.group(1)} needs one of its arguments as a concrete Python "
            "value (a size, a count or an axis): it compares or branches on it while tracing.",
            "Mark that argument of your function static (static_argnums / static_argnames) so "
            "it stays a Python value, or pass a constant; sizes taken from x.shape are static.",
            "static-args",
        )
    logic = ""
    if re.search(r"\b(and|or|not)\b", code):
        logic = " Combine traced conditions with jnp.logical_and / jnp.logical_or (& and |)."
    return (
        f"{what}, so Python cannot decide the branch (an `if`, `while`, `x if c else y` or "
        "`bool()` needs a concrete True or False).",
        "Compute both results and pick one with jnp.where(cond, a, b), or branch inside the "
        "trace with lax.cond(pred, true_fn, false_fn, x); if it is a setting rather than data, "
        "mark it static (static_argnums / static_argnames)." + logic,
        "python-control-flow",
    )


def _indexed_host_value(line: str, subject: str) -> str:
    """``NAME[...]`` on the line where the index mentions ``subject``: a Python list or a NumPy
    array indexed by a tracer."""
    found = list(re.finditer(_INDEXED_RE, line))
    for m in found:
        if subject == "this value" or re.search(rf"\b{re.escape(subject)}\b", m.group(2)):
            return m.group(0)
    # the subject is JAX's name for it (a wrapper's argument): any index that is not a literal
    names = [m for m in found if not re.fullmatch(r"[\s\d:,-]*", m.group(2))]
    return names[0].group(0) if len(names) == 1 else ""


def _index_fix(indexed: str) -> tuple[str, str, str]:
    name, index = indexed.split("[", 1)
    return (
        f"{name} is a Python list or NumPy array, and it was indexed by a tracer: only a JAX "
        "array can be indexed by a traced integer.",
        f"Turn it into a JAX array first: jnp.asarray({name})[{index[:-1]}] (convert once, "
        "outside the function, if it is large).",
        "indexing",
    )


def _numpy_fix(line: str, subject: str) -> tuple[str, str, str]:
    m = re.search(r"\bnp\.(\w+)\(", line)
    indexed = _indexed_host_value(line, subject)
    if indexed and not m:
        return _index_fix(indexed)
    call = f"jnp.{m.group(1)}(...)" if m else "the jnp.* function of the same name"
    sci = re.search(r"\b(?:scipy|sp)\.(special|stats|linalg|signal|ndimage)\.(\w+)", line)
    if sci:
        call = f"jax.scipy.{sci.group(1)}.{sci.group(2)}(...) (SciPy itself needs real numbers)"
    return (
        f"{subject} is a tracer, and NumPy needs real numbers, which do not exist while JAX "
        "traces the function (np.asarray, np.* functions, .tolist()).",
        f"Use jax.numpy instead of numpy here: {call}; print values with jax.debug.print; "
        "call host code with jax.pure_callback.",
        "jax-numpy",
    )


_STATIC_TYPES = {"str", "int", "bool", "float", "tuple", "Callable"}  # settings, not arrays


def _type_name(annotation: object) -> str:
    """``str`` for the annotation ``str`` or ``"str"``, ``Array`` for ``jax.Array``."""
    return str(getattr(annotation, "__name__", annotation)).split(".")[-1]


_MATH_EQUIVALENTS = {  # math functions whose traced counterpart has another name or home
    "factorial": "jax.scipy.special.factorial(k) (or gammaln(k + 1) for log k!, from "
    "jax.scipy.special)",
    "lgamma": "jax.scipy.special.gammaln(x)",
    "gamma": "jnp.exp(jax.scipy.special.gammaln(x)) (jax.scipy.special.gamma)",
    "comb": "jnp.exp(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)) (gammaln from "
    "jax.scipy.special)",
    "erf": "jax.scipy.special.erf(x)",
    "isqrt": "jnp.floor(jnp.sqrt(x)).astype(int)",
}


def _math_call(code: str) -> str:
    """The math function called on the line, one with a known traced counterpart first."""
    called = re.findall(r"\bmath\.(\w+)\(", code)
    return next((fn for fn in called if fn in _MATH_EQUIVALENTS), called[0] if called else "")


def _shape_size_fix(line: str, subject: str, what: str) -> tuple[str, str, str]:
    if re.search(r"jnp\.(prod|size)\(|\.prod\(\)", line):
        return (
            f"{what} was computed with jnp, so it is a traced array, but shapes must be Python "
            "integers.",
            "Compute sizes with NumPy or Python from the static shape: np.prod(x.shape) or "
            "math.prod(x.shape) (or x.size), which stay Python ints under jit.",
            "static-args",
        )
    numpy = re.search(r"\bnp\.(\w+)\(", line)
    also = (
        f" Inside jit make arrays with jnp.{numpy.group(1)}, not np.{numpy.group(1)} (a host "
        "array cannot hold traced values)."
        if numpy
        else ""
    )
    return (
        f"{what} ({subject}) is traced, but a shape or size must be a concrete Python integer "
        "while tracing: under jit every array shape follows from shapes alone.",
        f"Mark {subject} static (static_argnums / static_argnames) so it stays a Python int, or "
        "take sizes from x.shape (static: x.shape[0], len(x), x.size); np.prod(x.shape) gives a "
        "total size." + also,
        "static-args",
    )


def _concrete_rule(message: str, line: str, subject: str) -> tuple[str, str, str]:
    """ConcretizationTypeError: JAX needs a concrete value of a tracer."""
    code = line.strip()
    m = re.search(r"jnp\.(nonzero|where|unique|argwhere|flatnonzero)\b", message + " " + code)
    if "size argument" in message or (m and "size" in message):
        fn = m.group(1) if m else "nonzero"
        return (
            f"jnp.{fn} returns as many entries as the data holds, so its output shape depends "
            "on values; under jit every shape must follow from shapes alone.",
            f"Give a static size: jnp.{fn}(..., size=k, fill_value=0) pads or cuts to k "
            "entries; or keep the shape with the three-argument jnp.where(cond, x, y).",
            "masking-where",
        )
    if "argument of jnp.delete()" in message:
        return (
            "jnp.delete removes entries, so its output length depends on which indices are "
            "given; under jit JAX must know that length from shapes alone.",
            "Promise the indices are distinct, jnp.delete(x, i, assume_unique_indices=True) "
            "(the output is then one shorter per index), or keep the shape with jnp.where.",
            "masking-where",
        )
    fn = _math_call(code)
    if fn:
        return (
            f"math.{fn} needs a Python number, and {subject} is a tracer.",
            f"Use {_MATH_EQUIVALENTS.get(fn, f'jnp.{fn}(x)')}, which works on traced arrays.",
            "jax-numpy",
        )
    jnp_call = re.search(r"\bjnp\.(\w+)\([^()]*?(?:\blen\(|\.(?:size|shape|ndim)\b)", code)
    if jnp_call:
        fn = jnp_call.group(1)
        return (
            f"x.shape and x.size are plain Python ints even under jit, but jnp.{fn} turns them "
            "into a traced array, whose value is then unknown while tracing.",
            f"Do shape arithmetic in Python or NumPy, not jnp: math.isqrt(x.size) or "
            f"int(np.{fn}(x.size)) stays a static int.",
            "static-vs-traced",
        )
    sizes = r"(zeros|ones|full|empty|arange|range|reshape|linspace|eye|tile|repeat)\("
    if _has_call(code, "int") and re.search(sizes, code):
        return _shape_size_fix(code, subject, "A size")
    if _has_call(code, "float", "int", "complex", "bool") or "`float`" in message:
        return (
            f"{subject} is a tracer: float()/int() would need its value, which under jit is "
            "not known while tracing (only its shape and dtype are).",
            "Drop the float()/int() conversion and keep it an array: x.astype(jnp.float32) "
            "(or jnp.asarray(x, float)) converts the dtype; to log a Python number, return "
            "the array and convert it outside jit, after the call (float(out)); if it is a "
            "setting rather than data, mark it static (static_argnums).",
            "static-vs-traced",
        )
    for method in ("item()", "tolist()"):
        if f".{method}" in code or f"{method.rstrip('()')}() method" in message:
            return (
                f".{method} turns {subject} into Python numbers, which do not exist while JAX "
                "traces the function.",
                f"Remove .{method} and keep working on the array with jnp functions; return the "
                "array and convert it outside jit (jax.debug.print to look at it).",
                "static-vs-traced",
            )
    if re.search(r"\baxis\b", message) or re.search(r"axis=", code):
        return _shape_size_fix(code, subject, "The axis")
    return _shape_size_fix(code, subject, "A size or Python value")


# the types of functions a learner may pass where JAX traces arrays
_CALLABLE_TYPES = {
    "function",
    "method",
    "builtin_function_or_method",
    "partial",
    "ufunc",
    "PjitFunction",
    "custom_jvp",
    "custom_vjp",
}


def _not_array_rule(message: str, line: str) -> tuple[str, str, str] | None:
    """A non-array value where JAX traces arrays (arguments, operands, results)."""
    kind = _value_type(message) or (re.search(r"'<(\w+) object", message) or [None, ""])[1]
    path = _PATH_ARG_RE.search(message)
    if path and path.group(1) == "self":
        return (
            "jax.jit was applied to a method, so `self` (an object, not an array) became an "
            "argument that jit tries to trace.",
            "Jit a function of arrays instead: pass the object's arrays as arguments (a pytree), "
            "or mark self static with functools.partial(jax.jit, static_argnums=0) (self must "
            "then be hashable and is baked in).",
            "jit-methods-partial",
        )
    if any(k in kind for k in _ITERATOR_TYPES):
        op = re.search(r"\blax\.(cond|switch|scan|fori_loop|while_loop)\(", line)
        return (
            f"An iterator or generator ({kind}) went where JAX expects arrays: JAX cannot trace "
            "it, and it would be consumed once while tracing.",
            "Pass the values as an array or a tuple of arrays instead: jnp.asarray(list(it)) or "
            "jnp.stack([...]) (a list comprehension instead of a generator).",
            op.group(1).replace("_", "-") if op else "jax-numpy",
        )
    if kind in _CALLABLE_TYPES and path:
        root = path.group(1)
        return (
            f"{root} holds functions (an optimizer's init/update, a model's apply), and jit "
            "traces every argument as arrays.",
            f"Close over it (define the step where {root} is in scope, or bind it with "
            f"functools.partial(step, {root})), or mark it static: jax.jit(step, "
            f"static_argnames=({root!r},)).",
            "static-args",
        )
    field = re.search(r"at path (\w+)\.(\w+)", message)
    if field and kind == "str":
        return (
            f"The field {field.group(2)} of a registered dataclass holds a string, and JAX "
            "traces every field of a pytree node as an array unless told it is static.",
            f"Declare it static: {field.group(2)}: str = dataclasses.field(metadata=dict("
            "static=True)) (or list it in meta_fields= of jax.tree_util.register_dataclass).",
            "dataclass-nodes",
        )
    if kind == "str" or "is not a valid JAX type" in message:
        name = f"static_argnames=({path.group(1)!r},)" if path else "static_argnames"
        given = re.search(r"\bjax\.(grad|value_and_grad|jacrev|jacfwd|hessian|vmap)\(", line)
        if given and "returned a value" not in message:
            return (
                f"An argument given to jax.{given.group(1)} holds a {kind or 'non-array'} leaf; "
                "JAX transforms every leaf of its arguments, and this one is not an array.",
                "Keep Python values out of the transformed arguments: pass them separately (a "
                "static argument of the jitted step) or close over them with functools.partial; "
                "keep only arrays in the params tree.",
                "pytree-gradients",
            )
        if "returned a value" in message or (
            "return" in line and "Error interpreting argument" not in message
        ):
            return (
                "The function returns a value that is not an array (a string or other Python "
                "object); jit can only return arrays and pytrees of arrays.",
                "Return only arrays (or pytrees of arrays); keep strings and other Python "
                "values outside the jitted function.",
                "static-args",
            )
        return (
            "A value that is not an array (a string, None or some other object) went where "
            "JAX traces arrays.",
            f"Mark a setting such as a string static: jax.jit(f, {name}) (or static_argnums); "
            "return only arrays (or pytrees of arrays).",
            "static-args",
        )
    return None


# how lax's higher-order functions call the functions they are given
_CALLS_ITS_FUNCTION = {
    "cond": (
        "lax.cond(pred, true_fun, false_fun, *operands) calls the chosen branch with the operands",
        "write each branch to take them, lambda v: v * 2, or pass no operands and close over "
        "the values",
        "cond",
    ),
    "switch": (
        "lax.switch(index, branches, *operands) calls the chosen branch with the operands",
        "write every branch to take them, lambda v: ..., or pass no operands",
        "switch",
    ),
    "fori_loop": (
        "lax.fori_loop(lower, upper, body_fun, init) calls body_fun(i, carry)",
        "take the index and the carry and return the new carry: def body(i, carry): ...",
        "fori-loop",
    ),
    "while_loop": (
        "lax.while_loop(cond_fun, body_fun, init) calls cond_fun(carry) and body_fun(carry)",
        "give each one parameter, the carry (a tuple for several values)",
        "while-loop",
    ),
    "scan": (
        "lax.scan(f, init, xs) calls f(carry, x) and expects (new_carry, y) back",
        "take two parameters, def f(carry, x): ... return carry, y",
        "scan",
    ),
    "map": (
        "lax.map(f, xs) maps one argument: f gets one slice of xs",
        "pack several arrays into a tuple and unpack it: lax.map(lambda a: f(*a), (xs, ws))",
        "lax-map",
    ),
}


def _calling_convention_rule(
    exc: BaseException, message: str, code: str
) -> tuple[str, str, str] | None:
    """Causes told by the learner's line (or the exception's class) beside the message: an
    ``.at[i]`` used as a number, a ``jax.debug.print`` field with no value, a transformation
    given a value, ``eval_shape`` curried, ``register_dataclass`` fields, integer labels for
    ``optax.softmax_cross_entropy``, a frozen dataclass assigned, a lax function called against
    its convention."""
    at = re.search(r"([A-Za-z_][\w.]*)\.at\[([^\]]*)\]\s*([-+*/])\s*(.+?)\s*$", code)
    if at and re.search(r"unsupported operand type.*_IndexUpdate", message):
        target, index, op, value = at.groups()
        return (
            f"{target}.at[{index}] only names the place to change; it is not an array, so "
            f"{op} does not apply to it.",
            f"Call the update method: {target}.at[{index}].{_AT_METHOD[op]}({value}) returns the "
            "new array.",
            "at-arithmetic",
        )
    if isinstance(exc, KeyError) and _has_call(code, "jax.debug.print", "debug.print"):
        field = str(exc.args[0]) if exc.args else "name"
        return (
            f"jax.debug.print fills its fields like str.format: the named field {{{field}}} "
            "needs a keyword argument, and none was given.",
            f"Pass the value by that name, jax.debug.print('{field}={{{field}}}', "
            f"{field}=value), or write an empty field {{}} for a positional argument.",
            "debug-print",
        )
    called = re.search(
        r"\b(jax\.(grad|value_and_grad|jit|vmap|jacfwd|jacrev|hessian|checkpoint))\((\w+)\((.*?)\)\)",
        code,
    )
    if called and "Expected a callable value" in message:
        api, kind, fn, args = called.groups()
        return (
            f"{api} takes the function itself and returns a new function, but it was given "
            f"{fn}({args}), the value the function returned.",
            f"Pass the function, then call what {api} returns: {api}({fn})({args}).",
            {"jit": "jit-basics", "vmap": "vmap-basics", "checkpoint": "checkpoint"}.get(
                kind, "jacobians" if kind.startswith("jac") else kind.replace("_", "-")
            ),
        )
    curried = re.search(r"\b(jax\.eval_shape)\((\w+)\)\((.*)\)", code)
    if curried and "required positional argument" in message:
        api, fn, args = curried.groups()
        return (
            "jax.eval_shape is not a transformation that returns a function: it takes the "
            "function and its arguments together.",
            f"Pass the arguments to eval_shape itself: {api}({fn}, {args}).",
            "eval-shape",
        )
    missing = re.search(r"Missing fields: \{([^}]*)\}", message)
    if missing and "data_fields and meta_fields" in message:
        have = re.search(r"data_fields=\[([^\]]*)\]", code)
        names = [n.strip() for n in (have.group(1).split(",") if have else []) if n.strip()]
        names += [n.strip() for n in missing.group(1).split(",")]
        listed = ", ".join(f"'{n.strip(_QUOTES)}'" for n in names)
        cls = re.search(r"register_dataclass\(\s*(\w+)", code)
        notes = getattr(_frame_value(exc, cls.group(1)), "__annotations__", {}) if cls else {}
        absent = [n.strip().strip(_QUOTES) for n in missing.group(1).split(",")]
        static = [n for n in absent if _type_name(notes.get(n, "")) in _STATIC_TYPES]
        if static and len(static) == len(absent):
            meta = ", ".join(f'"{n}"' for n in static)
            return (
                "register_dataclass must be told about every field, and "
                f"{', '.join(static)} is not an array but a setting (a {notes[static[0]]}).",
                f"Make it static: meta_fields=[{meta}] (it becomes part of the tree's "
                "structure, so jit treats it as a constant).",
                "dataclass-nodes",
            )
        return (
            "register_dataclass must be told about every field: each is either a leaf "
            "(data_fields) or static (meta_fields).",
            f"List the missing field too: data_fields=[{listed}] for arrays, or put a static "
            "field in meta_fields.",
            "dataclass-nodes",
        )
    if _has_call(code, "optax.softmax_cross_entropy") and "shapes" in message:
        return (
            "optax.softmax_cross_entropy wants labels shaped like the logits (one-hot or "
            "probabilities), and these labels are integer class ids.",
            "For integer labels use optax.softmax_cross_entropy_with_integer_labels(logits, "
            "labels), or one-hot them first: jax.nn.one_hot(labels, logits.shape[-1]).",
            "losses",
        )
    if isinstance(exc, dataclasses.FrozenInstanceError):
        files = [frame.filename for frame in traceback.extract_tb(exc.__traceback__)]
        field = re.search(r"field '(\w+)'", message)
        attr = field.group(1) if field else "field"
        if any("equinox" in f for f in files) or "eqx" in code:
            return (
                "An eqx.Module is a frozen dataclass: its fields cannot be assigned once it is "
                "built (it is a pytree, like an immutable array).",
                f"Build a changed copy: model = eqx.tree_at(lambda m: m.{attr}, model, new_value).",
                "equinox",
            )
        return (
            "A frozen dataclass cannot have its fields assigned once it is built.",
            f"Build a changed copy: obj = dataclasses.replace(obj, {attr}=new_value).",
            "dataclass-nodes",
        )
    dims = re.search(
        r"operand of shape \(([\d, ]*)\), target broadcast shape \(([\d, ]*)\), "
        r"broadcast_dimensions \(([\d, ]*)\)",
        message,
    )
    if dims:
        return _broadcast_dimensions_rule(*(_ints(g) for g in dims.groups()))
    both = re.search(r"(static_argn\w+) and (donate_argn\w+) cannot intersect", message)
    if both:
        return _donate_static_rule(both.group(2), code, message)
    if "cannot select an axis to squeeze out" in message and _has_call(code, "jax.pmap"):
        import jax

        return (
            "jax.pmap maps over devices, one slice of the mapped axis per device, and the axis "
            f"is longer than the {jax.device_count()} device(s) here.",
            "For a batch on one device use jax.vmap; to spread work over devices, reshape to "
            "(jax.device_count(), -1, ...) first, or use jax.shard_map with a mesh.",
            "pmap",
        )
    if "cannot select an axis to squeeze out" in message and "squeeze" in code:
        return (
            "jnp.squeeze removes only axes of size 1, and the axis named is longer.",
            "Name an axis of size 1 (check x.shape), or call jnp.squeeze(x) without axis to drop "
            "every size-1 axis; to take one entry of a longer axis, index it: x[0].",
            "broadcasting-reshaping",
        )
    frames = traceback.extract_tb(exc.__traceback__)
    mapped = any(re.search(r"tree_util|[/\\]tree\.py", f.filename) for f in frames)
    if "iteration over a 0-d array" in message and (mapped or re.search(r"tree\.map", code)):
        return (
            "jax.tree.map went down to the leaves, the arrays inside your tuples, while the "
            "function expects the tuples themselves (pairs are pytree nodes, not leaves).",
            "Stop at the pairs: jax.tree.map(f, tree, is_leaf=lambda x: isinstance(x, tuple)).",
            "tree-map",
        )
    if (
        isinstance(exc, (AttributeError, TypeError, ValueError))
        and mapped
        and any(f.name == "__init__" and "site-packages" not in f.filename for f in frames)
    ):
        return (
            "JAX rebuilt your pytree class through __init__ with placeholder leaves (objects or "
            "None, not arrays), as jax.tree.map, vmap and tracing do, and __init__ checked or "
            "used them as arrays.",
            "Rebuild without __init__ in tree_unflatten: obj = cls.__new__(cls) and set the "
            "fields (object.__setattr__ for frozen classes); keep validation out of __init__, "
            "or skip it when the leaves are not arrays.",
            "custom-nodes",
        )
    window = re.search(
        r"got operand shape \(([\d, ]*)\) with window_dimensions \(([\d, ]*)\)", message
    )
    if window:
        rank, given = len(_ints(window.group(1))), _ints(window.group(2))
        extra = rank - len(given)
        if extra == 2:  # a batch of images: pool the spatial axes, channels last or first
            choices = f"{(1, *given, 1)} for NHWC, {(1, 1, *given)} for NCHW"
        elif extra > 0:
            choices = f"{(1,) * extra + given} (the last axes), or {given + (1,) * extra}"
        else:
            choices = f"{given[-rank:]}"
        return (
            f"lax.reduce_window needs one window size (and one stride) per axis of the "
            f"operand, which has {rank} axes; {given} gives {len(given)}.",
            f"Give every axis a size, 1 for axes not pooled: {choices} (strides likewise).",
            "reductions",
        )
    unpacked = re.match(r"\s*\w+\s*,\s*\w+\s*=\s*(?:jnp|jax\.numpy)\.(\w+)\(", code)
    if unpacked and "values to unpack" in message:
        fn = unpacked.group(1)
        arg = {"max": "argmax", "min": "argmin", "sort": "argsort"}.get(fn)
        fix = (
            f"Ask for each separately: values = jnp.{fn}(x, axis=...), indices = "
            f"jnp.{arg}(x, axis=...) (or lax.top_k(x, k) for both)."
            if arg
            else f"Keep the one array jnp.{fn} returns (y = jnp.{fn}(...)) and index it."
        )
        return (
            f"jnp.{fn} returns one array (PyTorch's {fn} returns values and indices), so "
            "unpacking it splits its first axis.",
            fix,
            "numpy-differences",
        )
    dims = re.search(r"dot_general\(\s*[\w.]+\s*,\s*[\w.]+\s*,\s*(\(.*\))\s*\)\s*$", code)
    if dims and "values to unpack" in message:
        return (
            "lax.dot_general's dimension_numbers is a pair of pairs, ((lhs_contract, "
            "rhs_contract), (lhs_batch, rhs_batch)), and the batch pair is missing.",
            f"Add empty batch dimensions: lax.dot_general(a, b, ({dims.group(1)}, ((), ())))",
            "dot-general",
        )
    if "'int' object is not iterable" in message and re.search(r"\blax\.\w+\(", code):
        return (
            "lax functions take a sequence where NumPy takes one number for every axis "
            "(strides, dilations, window sizes, shapes), and got a bare int.",
            "Write one entry per spatial axis as a tuple: (1,) for one axis, (1, 1) for two "
            "(e.g. window_strides=(1,)).",
            "lax-vs-jnp",
        )
    devices = re.search(r"(jax\.(?:local_)?devices\([^)]*\))\[(\d+)\]", code)
    if devices and isinstance(exc, IndexError):
        return (
            f"{devices.group(1)} lists fewer than {int(devices.group(2)) + 1} devices on this "
            "machine.",
            "Use one that exists, jax.devices()[0] (len(jax.devices()) says how many); to try "
            "multi-device code on a CPU, start with jax.config.update('jax_num_cpu_devices', 8) "
            "(or XLA_FLAGS=--xla_force_host_platform_device_count=8) before JAX runs.",
            "devices",
        )
    twice = re.search(r"has duplicate entries for `(\w+)`", message)
    if twice:
        axis = twice.group(1)
        return (
            "A mesh axis can shard only one dimension of an array, and this PartitionSpec "
            f"names {axis!r} twice.",
            f'Use each mesh axis once: P("{axis}", None) or P(None, "{axis}"); to split both '
            'dimensions, make a 2-D mesh with two axis names and write P("x", "y").',
            "partition-spec",
        )
    sds = re.search(r"ShapeDtypeStruct\(\s*(\w+)\s*,", code)
    if sds and "not iterable" in message:
        return (
            "jax.ShapeDtypeStruct takes a shape, a tuple of sizes, and was given a bare "
            f"number, {sds.group(1)}.",
            f"Write the shape as a tuple: jax.ShapeDtypeStruct(({sds.group(1)},), dtype).",
            "aot",
        )
    decorator = re.match(r"@([\w.]+)\((\w+=.*)\)\s*$", code)
    if decorator and re.search(r"missing 1 required positional argument: '(fun|f|fn)\w*'", message):
        api, options = decorator.groups()
        return (
            f"{api} takes the function first: with only options it is called with no function "
            "to wrap, so it cannot be a decorator that way.",
            f"Bind the options first: @functools.partial({api}, {options}).",
            "checkpoint" if "checkpoint" in api or "remat" in api else "jit-methods-partial",
        )
    higher = re.search(r"\blax\.(cond|switch|fori_loop|while_loop|scan|map)\(", code)
    if higher and isinstance(exc, TypeError) and "positional argument" in message:
        how, fix, concept = _CALLS_ITS_FUNCTION[higher.group(1)]
        return (
            f"A function was called with the wrong number of arguments: {how}.",
            f"Match that convention: {fix}.",
            concept,
        )
    return None


def _sampler_shape(message: str, code: str) -> str:
    """``", here (3, 2)"``: the shape asked for (the one written on the line), followed by the
    parameters' shape."""
    listed = re.sub(r"np\.\w+\((\d+)\)", r"\1", message.partition("shapes=")[2])  # np.int64(2)
    shapes = [t.replace(" ", "") for t in re.findall(r"\(([\d, ]*)\)", listed)]
    written = code.replace(" ", "")
    asked = [t for t in shapes if f"({t})" in written]
    if len(shapes) != 2 or len(asked) != 1:
        return ""
    other = shapes[1 - shapes.index(asked[0])]
    return f", here {_ints(asked[0]) + _ints(other)}"


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(t) for t in re.findall(r"\d+", text))


def _broadcast_dimensions_rule(
    operand: tuple[int, ...], target: tuple[int, ...], given: tuple[int, ...]
) -> tuple[str, str, str]:
    """lax.broadcast_in_dim mapped an operand axis onto a target axis of another size."""
    import itertools

    fits = [
        dims
        for dims in itertools.combinations(range(len(target)), len(operand))
        if all(o in (1, target[d]) for o, d in zip(operand, dims, strict=True))
    ]
    # NumPy's own rule aligns trailing axes: prefer the last fitting choice
    fix = (
        f"Map each operand axis to a target axis of the same size: broadcast_dimensions={fits[-1]}"
        if fits
        else "No choice of axes fits: reshape the operand first"
    )
    return (
        f"broadcast_dimensions={given} puts the operand's axes (shape {operand}) on target axes "
        f"of other sizes (target shape {target}); each operand axis must have the size of the "
        "target axis it maps to, or size 1.",
        fix + "; or let jnp.broadcast_to(x, shape) align trailing axes as NumPy does.",
        "broadcasting-reshaping",
    )


def _donate_static_rule(donate: str, code: str, message: str) -> tuple[str, str, str]:
    """An argument both static and donated: static ones have no buffer to give."""
    static = re.search(r"static_argnums\s*=\s*(\(?[\d, ]*\)?)", code)
    donated = re.search(r"donate_argnums\s*=\s*(\(?[\d, ]*\)?)", code)
    names = re.search(r"\{([^}]*)\}", message)
    if static and donated:
        keep = tuple(i for i in _ints(donated.group(1)) if i not in _ints(static.group(1)))
        fix = f"Donate only the array arguments: donate_argnums={keep}."
    else:
        fix = f"Remove {names.group(1) if names else 'the static arguments'} from {donate}."
    return (
        "An argument is both static and donated: a static argument is a Python value compiled "
        "into the function, with no device buffer to donate.",
        fix + " Donation is for arrays whose memory the result may reuse.",
        "donation",
    )


def _unused_split_key(exc: BaseException, code: str) -> tuple[str, str, str] | None:
    """A draw from a key that was split, where one of the keys split from it is never used:
    that key, in the learner's call."""
    reused = re.search(r"random\.\w+\(\s*(\w+)\s*,", code)
    if not reused:
        return None
    key = reused.group(1)
    split_re = rf"^\s*([\w, ]+?)\s*=\s*(?:jax\.)?random\.split\(\s*{key}\b"
    for src in _learner_sources(exc):
        split = re.search(split_re, src, re.M)
        children = [c.strip() for c in split.group(1).split(",")] if split else []
        unused = [c for c in children if len(re.findall(rf"\b{c}\b", src)) == 1]
        if unused:
            fixed = code.strip().replace(f"({key},", f"({unused[0]},", 1)
            return (
                f"{key} was split, so it is spent, and this line draws from it again; "
                f"{unused[0]}, split from it for this purpose, is never used.",
                f"Draw from the new key: {fixed}",
                "key-reuse",
            )
    return None


def _message_and_line_rule(
    exc: BaseException, first: str, code: str
) -> tuple[str, str, str] | None:
    """Causes known by JAX's message whose fix is the learner's own line, corrected."""
    if "Unused keyword arguments to `jax.debug.print`" in first:
        fixed = re.sub(r"(debug\.print\(\s*)[fF]([\"'])", r"\1\2", code)
        return (
            "jax.debug.print was given an f-string: Python fills it in once, while tracing, so "
            "it shows the tracer rather than the value, and the keyword goes unused.",
            "Drop the f prefix and let jax.debug.print fill the braces at run time: "
            + (fixed if fixed != code else 'jax.debug.print("x = {x}", x=x)')
            + ".",
            "debug-print",
        )
    indexed = re.search(r"([\w.]+)\[", code)
    key = _dotted_value(exc, indexed.group(1)) if indexed and "Too many indices" in first else None
    if key is not None and _is_typed_key(key):
        name = indexed.group(1)
        return (
            f"{name} is a typed PRNG key (made by jax.random.key): one key is a scalar of a key "
            "dtype, with no words inside to index.",
            f"Use the key itself: pass {name} to jax.random (jax.random.bernoulli({name}, p, "
            f"shape)), split it for more keys, or read its raw uint32 words with "
            f"jax.random.key_data({name}).",
            "key-impls",
        )
    ode = re.search(r"\bodeint\(\s*([\w.]+)\s*,", code)
    func = _dotted_value(exc, ode.group(1)) if ode else None
    params = _parameter_names(func)
    if params[:1] in (["t"], ["time"]) and len(params) >= 2:
        name = ode.group(1)
        return (
            f"odeint calls its function as {name}(y, t, *args), state first, and {name} takes "
            f"({', '.join(params[:2])}): the order of SciPy's solve_ivp, so the time went in as "
            "the state.",
            f"Swap the parameters: def {name}({params[1]}, {params[0]}, ...) (odeint's order is "
            "y, t).",
            "scipy-linalg",
        )
    flat = re.search(r"boolean scalar|incompatible shapes|must be 1-dimensional|1D", first)
    if flat and re.search(r"\bminimize\(", code) and _raised_in(exc, "scipy/optimize"):
        return (
            "jax.scipy.optimize.minimize works on a flat vector of parameters, and x0 has more "
            "than one axis (its line search compares whole arrays where it needs one number).",
            "Pass x0.ravel() and reshape inside the loss: minimize(lambda w: loss(w.reshape("
            "shape)), x0.ravel(), method='BFGS'), then reshape result.x back.",
            "scipy-linalg",
        )
    square = re.search(r"\b(eigh|eigvalsh|cholesky)\(\s*([\w.]+)", code)
    value = _dotted_value(exc, square.group(2)) if square else None
    shape = tuple(getattr(value, "shape", ()))
    if square and len(shape) >= 2 and shape[-1] != shape[-2]:
        fn, name = square.groups()
        return (
            f"{fn} decomposes a square (symmetric) matrix, and {name} has shape {shape}.",
            f"For the principal axes of samples, decompose their covariance, {name}.T @ {name} "
            f"(or jnp.cov({name}, rowvar=False)), or take jnp.linalg.svd({name}) directly; a "
            "square matrix is what eigh expects.",
            "scipy-linalg",
        )
    ranked = re.search(
        r"spec=P\(([^)]*)\).*valid for values of rank at least (\d+), but was applied to a "
        r"value of rank (\d+)",
        first,
    )
    if ranked and "_internal_pmap_axis_name" not in first:
        entries, _, rank = ranked.groups()
        kept = ", ".join(e.strip() for e in entries.split(",")[: int(rank)] if e.strip())
        return (
            f"A PartitionSpec has one entry per axis of the array, and this array has {rank} "
            f"axes while the spec P({entries}) has more.",
            f"Give one entry per axis: P({kept}) (P() or P(None) replicates it on every device).",
            "partition-spec",
        )
    tangents = re.search(
        r"Got tangent aval \w+\[([\d,]*)\] for primal aval \w+\[([\d,]*)\]", str(exc)
    )
    if tangents and "linearized function" in str(exc):
        got, want = (t.split(",") if t else [] for t in tangents.groups())
        if got[1:] == want:
            return (
                "The function jax.linearize returns pushes one tangent, of the primal's shape, "
                f"and it was given a stack of {got[0]} of them.",
                "Map it over the stack: jax.vmap(f_jvp)(tangents) (jax.vmap(f_jvp)(jnp.eye(n)) "
                "gives the whole Jacobian, as jax.jacfwd does).",
                "linearize",
            )
    printed = re.search(r"debug\.print\(\s*f?([\"'])(.*?)\1\s*((?:,[^,)]+)*)\)", code)
    if printed and "index out of range" in first:
        fmt, given = printed.group(2), [a for a in printed.group(3).split(",") if a.strip()]
        slots = re.findall(r"(\w+)?\s*\{[^}]*\}", fmt)
        if len(slots) > len(given):
            names = [w or f"x{i}" for i, w in enumerate(slots)]
            return (
                f"The format has {len(slots)} {{}} placeholders and jax.debug.print was given "
                f"{len(given)} value(s) to fill them.",
                f"Pass one value per placeholder, in order: jax.debug.print({printed.group(1)}"
                f"{fmt}{printed.group(1)}, {', '.join(names)}); or name them, "
                + ", ".join(f"{{{n}}} with {n}={n}" for n in names[:2])
                + ".",
                "debug-print",
            )
    tuple_arg = re.match(r"(\w+) argument to ([\w.]+) must be a tuple", first)
    if tuple_arg:
        arg, fn = tuple_arg.groups()
        given = re.search(rf"\b{arg}\s*=\s*([\w.]+)", code)
        value = given.group(1) if given else "value"
        passed = re.search(rf"{re.escape(fn.rpartition('.')[2])}\(\s*(\w+)\s*,", code)
        loss = passed.group(1) if passed and passed.group(1) != "lambda" else "f"
        return (
            f"{fn} passes {arg} on to the function as extra positional arguments, so {arg} "
            f"must be a tuple, and it was given one value.",
            f"Wrap it in a one-element tuple: {arg}=({value},) (the comma makes the tuple), or "
            f"close over it instead: lambda w: {loss}(w, {value}).",
            "",
        )
    static_kw = re.search(
        r"`static_argnums` argument to `jax.checkpoint`.*got \(([\d, ]+)\),? "
        r"while `len\(args\)` = (\d+)",
        first,
    )
    call = re.search(r"(\w+)\(([^()=]*?),\s*(\w+)\s*=\s*([^,()]+)\)", code)
    if static_kw and call:
        fn, args, kw, value = call.groups()
        return (
            f"jax.checkpoint's static_argnums counts positional arguments only, and {kw} was "
            f"passed by keyword, so the call has {static_kw.group(2)} positional argument(s).",
            f"Pass the static argument positionally: {fn}({args}, {value}).",
            "checkpoint",
        )
    pmapped = re.search(r"pytree key path \w+\[(\d+)\].*_internal_pmap_axis_name.*rank 0", first)
    if pmapped:
        n = pmapped.group(1)
        return (
            f"jax.pmap maps every argument over its leading (device) axis, and argument {n} is "
            "a scalar, with no axis to split.",
            f"Mark it static, jax.pmap(f, static_broadcasted_argnums=({n},)), or fix it before "
            "mapping: jax.pmap(functools.partial(f, n=...)) (in_axes=None broadcasts an array "
            "instead).",
            "pmap",
        )
    return None


def _parameter_names(fn: object) -> list[str]:
    import inspect

    try:
        return list(inspect.signature(fn).parameters) if callable(fn) else []
    except (TypeError, ValueError):
        return []


def _raised_in(exc: BaseException, part: str) -> bool:
    """Whether a frame of ``exc``'s traceback is in a file whose path holds ``part``."""
    return any(
        part in f.filename.replace("\\", "/") for f in traceback.extract_tb(exc.__traceback__)
    )


def _is_typed_key(value: object) -> bool:
    import jax

    dtype = getattr(value, "dtype", None)
    return dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key)


def _integer_grad_argument(exc: BaseException, code: str) -> str:
    """The name of an argument after the first of ``jax.grad(f, argnums=...)(a, b)`` on the
    line that is a pytree with integer leaves (a state beside the parameters), else ''."""
    import jax
    import numpy as np

    call = re.search(r"grad\(.*argnums.*?\)\(([\w\s,]+)\)", code)
    for name in [n.strip() for n in call.group(1).split(",")][1:] if call else ():
        value = _frame_value(exc, name)
        leaves = jax.tree.leaves(value) if isinstance(value, dict | list | tuple) else []
        if any(np.issubdtype(getattr(leaf, "dtype", np.float32), np.integer) for leaf in leaves):
            return name
    return ""


def _branch_lines(exc: BaseException, message: str) -> list[str]:
    """The source lines of the branches a lax.cond message names (``true_fun is <lambda> at
    file:line``; the file found in the traceback when the message shortens its path)."""
    import linecache

    files = {f.filename for f in traceback.extract_tb(exc.__traceback__)}
    out = []
    for path, n in re.findall(r"\w+_fun is .+? at (.+):(\d+)", message):
        full = next((f for f in files if f == path or f.endswith("/" + path)), path)
        out.append(linecache.getline(full, int(n)).strip())
    return out


def _dot_general_fix(exc: BaseException, code: str) -> str:
    """dimension_numbers that contract axes of equal size, worked out from the operands' shapes
    in the learner's frame and the literal dimension numbers on the line, else ''."""
    import ast

    call = re.search(r"dot_general\((.*)\)", code)
    try:
        node = ast.parse(f"f({call.group(1)})", mode="eval").body if call else None
        lhs, rhs, dims = node.args[:3] if node is not None else (None, None, None)
        ((lc, rc), (lb, rb)) = ast.literal_eval(dims)
    except (SyntaxError, ValueError, TypeError, AttributeError):
        return ""
    if not (isinstance(lhs, ast.Name) and isinstance(rhs, ast.Name)):
        return ""
    shapes = [getattr(_frame_value(exc, n.id), "shape", None) for n in (lhs, rhs)]
    if None in shapes or len(lc) != len(rc):
        return ""
    lshape, rshape = shapes
    free = [a for a in range(len(rshape)) if a not in rb]
    chosen = []
    for a in lc:
        match = [b for b in free if rshape[b] == lshape[a] and b not in chosen]
        if len(match) != 1:
            return ""
        chosen.append(match[0])
    numbers = f"(({tuple(lc)}, {tuple(chosen)}), ({tuple(lb)}, {tuple(rb)}))"
    return (
        f"{lhs.id} has shape {tuple(lshape)} and {rhs.id} {tuple(rshape)}: contract axes of "
        f"equal size, dimension_numbers={numbers} (axis {', '.join(map(str, chosen))} of "
        f"{rhs.id}), or write the product with jnp.einsum, which names each axis."
    )


def _loop_type_rule(exc: BaseException, message: str, line: str) -> tuple[str, str, str] | None:
    """lax control flow whose branches or carry disagree in shape or dtype."""
    detail = next((ln.strip() for ln in message.splitlines() if "has type" in ln), "")
    detail = f" ({detail})" if detail else ""
    if (
        "cond branches" in message
        or "true_fun and false_fun" in message
        or ("switch branches" in message)
    ):
        fix = (
            "Make both branches return the same shape and dtype (astype, pad, or jnp.zeros_like "
            "for a neutral value); for per-element choices use jnp.where."
        )
        shapes = re.findall(r"has type \w+(\[[\d,]*\])", detail)
        if "shapes do not match" in detail and len(shapes) == 2 and "[]" in shapes:
            fix = (
                f"Make every branch return the same shape: here {shapes[0]} and {shapes[1]}. "
                "Broadcast the scalar to the array's shape: jnp.full(shape, value) or "
                "jnp.zeros_like(x) (astype where the dtypes differ too)."
            )
        elif "shapes do not match" in detail and len(shapes) == 2:
            fix = (
                f"Make every branch return the same shape: here {shapes[0]} and {shapes[1]}. "
                "Pad the smaller result back (jnp.pad(y, ...)) or resize it "
                "(jax.image.resize(y, shape, 'bilinear')); a branch whose shape must differ is "
                "chosen in Python instead, with a static index."
            )
        reduced = re.search(r"\b(max|min)\(", " ".join(_branch_lines(exc, message)))
        if reduced and re.search(
            r"has type u?int\d+\[\].*has type float\d+\[\]|has type "
            r"float\d+\[\].*has type u?int\d+\[\]",
            detail,
        ):
            which = reduced.group(1)
            fix = (
                f"One branch gives an integer (an index) and the other the float {which} "
                f"itself: if the branch is meant to pick an index, use arg{which} "
                f"(jnp.arg{which}(q) is the position of the {which}imum, {which}() its value); "
                "otherwise cast one branch with astype so both dtypes match."
            )
        which = "switch" if "switch branches" in message else "cond"
        return (
            f"The branches of lax.{which} return different shapes or dtypes{detail}: every "
            "branch is compiled, and the result must have one type.",
            fix,
            which,
        )
    if not re.search(r"\bcarry\b", message):
        return None
    kinds = re.search(
        r"carry(?: \w+)?(?: [\w\[\].]+)? is an? <class '[\w.]*?(\w+)'> but .* carry output is an? "
        r"<class '[\w.]*?(\w+)'>",
        message,
    )
    if kinds and "same pytree structure" in message:
        given, returned = kinds.groups()
        loop = (
            "fori-loop"
            if "loop_carry" in message or "fori_loop" in line
            else "while-loop"
            if "while" in message
            else "scan"
        )
        if returned == "NoneType":
            return (
                "The loop body returns None where it was given a carry: it has no return "
                "statement (or one path through it returns nothing).",
                "End the body with `return new_carry`, of the same structure as the carry it "
                "was given.",
                loop,
            )
        if returned == "tuple" and (given == "dict" or "Array" in given) and loop != "scan":
            what = "an array" if "Array" in given else "a dict"
            return (
                f"The loop body returns a tuple where its carry is {what}: most often the new "
                "carry and one value more (a loss, a metric), which the loop has nowhere to keep.",
                "Return only the new carry, or carry the extra value too: start from "
                "(params, 0.0) and return (params, loss); to keep a value from every step, use "
                "lax.scan(step, params, xs), whose body returns (carry, per_step_value).",
                loop,
            )
        if returned == "tuple" and given not in ("tuple", "list", "dict") and "Array" not in given:
            return (
                f"The loop body returns a plain tuple, but the carry is a {given}: the types "
                "must match, not only the fields.",
                f"Return a {given}: {given}(...) with the new fields (state._replace(...) for a "
                "NamedTuple).",
                "scan" if "scan" in message else "while-loop",
            )
        return (
            f"The loop body returns a carry of another structure than it was given: it starts "
            f"as {'an array' if 'Array' in given else 'a ' + given} and comes back as "
            f"{'an array' if 'Array' in returned else 'a ' + returned}.",
            "Give the carry the same structure on both sides: if the body returns a pair (c, h), "
            "init must be a pair (tuple) too, e.g. (jnp.zeros(n), jnp.zeros(n)) (a recurrent "
            "cell's initialize_carry builds it); a list stays a list, a tuple a tuple.",
            loop,
        )
    if re.search(r"has type key<\w+>\[\] but .* has type key<\w+>\[\d+\]", message):
        return (
            "The carry is one key, and the body returns an array of keys (what "
            "jax.random.split gives).",
            "Keep one key as the carry: key, subkey = jax.random.split(key), draw with subkey, "
            "and return key (not the pair).",
            "split",
        )
    grown = re.search(r"has type (\w+)\[\] but .* has type \1\[[\d,]+\]", message)
    if grown and "while_loop" in message:
        return (
            f"A carry that starts as one number comes back as an array{detail}: an error or "
            "tolerance kept in a while_loop's carry must stay one number, since the condition "
            "must give one boolean.",
            "Reduce it to one number in the body, e.g. jnp.max(jnp.abs(x_new - x)) or "
            "jnp.linalg.norm(x_new - x); if you mean one value per element, start it with that "
            "shape (jnp.full_like(x, jnp.inf)) and test jnp.any(err > tol) in the condition.",
            "while-loop",
        )
    if grown:
        return (
            f"A carry that starts as one number comes back as an array{detail}.",
            "Start the carry with the shape the body returns (jnp.zeros_like(x), jnp.zeros(n)), "
            "or reduce it to one number in the body (jnp.sum, jnp.max) if that is what it holds.",
            "fori-loop" if "fori_loop" in line or "loop_carry" in message else "scan",
        )
    if "fori_loop" in line:
        return (
            f"The body of lax.fori_loop returns a carry of another dtype or shape than the "
            f"initial value{detail}.",
            "Start from a carry of the same dtype and shape the body returns: 0.0 instead of 0 "
            "(or jnp.zeros_like(...)), or astype in the body.",
            "fori-loop",
        )
    if "while_loop" in message or "while_loop" in line:
        return (
            f"The body of lax.while_loop returns a carry of another shape or dtype than it "
            f"received{detail}.",
            "Keep the carry the same shape and dtype on every iteration (preallocate the final "
            "shape and fill it with .at[i].set); astype where the dtype drifts.",
            "while-loop",
        )
    return (
        f"The scanned function returns a carry of another shape or dtype than the initial "
        f"carry{detail}.",
        "Make init and the returned carry the same shape and dtype: e.g. init 0.0 instead of 0, "
        "jnp.zeros_like(x), or astype in the body.",
        "scan",
    )


def classify(exc: BaseException, message: str, line: str = "") -> tuple[str, str, str, str]:
    """(error name, explanation, fix, concept) for ``exc``; ``line`` is the learner's source
    line where it was raised, when known."""
    import jax

    errors = jax.errors
    subject = _subject(message)
    name = type(exc).__name__
    first = next((ln.strip() for ln in message.splitlines() if ln.strip()), "")
    code = line.strip()

    def done(rule: tuple[str, str, str], called: str = name) -> tuple[str, str, str, str]:
        return (called, *rule)

    rule = _library_and_line_rule(exc, message, first, code) or (
        _static_name_rule(exc, first, code) if "invalid argnames" in first else None
    )
    if rule:
        return done(rule)

    if isinstance(exc, errors.UnexpectedTracerError) or "Leaked trace" in first:
        return done(
            (
                "A tracer escaped the trace that made it: it was stored in a global, a list, "
                "an attribute or a closure while JAX traced a function, and used after that "
                "trace ended.",
                "Return the value from the function instead of storing it (keep functions "
                "pure); pass state in as an argument and out as a result; jax.checking_leaks() "
                "reports the leak where it happens.",
                "leaked-tracers",
            ),
            "UnexpectedTracerError",
        )
    unused_key = _unused_split_key(exc, code) if "KeyReuse" in name else None
    if unused_key:
        return done(unused_key)
    if isinstance(exc, getattr(errors, "KeyReuseError", ())):
        return done(
            (
                "A PRNG key was used twice: a random function (or split) consumed it, and a "
                "second one drew from the same key, so the two results are not independent.",
                "Split before drawing, then draw only from the new keys: key, subkey = "
                "jax.random.split(key), then jax.random.normal(subkey, ...); once split, a key is "
                "spent: never draw from it again.",
                "key-reuse",
            )
        )
    if isinstance(exc, errors.TracerBoolConversionError) or "truth value of an array" in first:
        rule = _bool_rule(exc, message, line, subject)
        if "truth value of an array" in first:
            explanation = (
                "An array of several values has no single truth value, and Python asked for one "
                "(an `if`, `while`, `and`/`or` or `bool()`)."
            )
            fix = (
                "Say which: jnp.all(c) or jnp.any(c) reduce to one boolean (under jit, branch "
                "on it with lax.cond), or pick per element with jnp.where(c, a, b)."
            )
            rule = (explanation, fix + (" " + rule[1] if "logical" in rule[1] else ""), rule[2])
        return done(rule)
    mathfn = _math_call(code)
    if isinstance(exc, errors.TracerIntegerConversionError) and mathfn:
        return done(
            (
                f"math.{mathfn} needs a Python int, and {subject} is a tracer.",
                f"Use {_MATH_EQUIVALENTS.get(mathfn, f'jnp.{mathfn}(x)')}, "
                "which works on traced arrays.",
                "jax-numpy",
            )
        )
    if isinstance(exc, errors.TracerIntegerConversionError):
        indexed = _indexed_host_value(code, subject)
        if indexed and not _has_call(code, "range"):
            return done(_index_fix(indexed))
        return done(
            (
                f"{subject} is a tracer, but Python needs a concrete integer here (range(), a "
                "list index, a shape or a count); under jit only its shape and dtype are known.",
                "Make it a static argument (static_argnums / static_argnames) so it stays a "
                "Python int while tracing; take sizes from x.shape, which is static; or loop "
                "with lax.fori_loop(0, n, body, init).",
                "static-args",
            )
        )
    if isinstance(exc, errors.NonConcreteBooleanIndexError):
        return done(
            (
                "Indexing with a boolean mask (x[mask]) gives an array whose length depends on "
                "how many entries are True; under jit every shape must follow from shapes "
                "alone, never from values.",
                "Keep the shape fixed: jnp.where(mask, x, 0) (then reduce, e.g. "
                "jnp.sum(jnp.where(mask, x, 0))); to update, jnp.where(mask, new, x); or give "
                "a static size: jnp.nonzero(mask, size=n, fill_value=0).",
                "masking-where",
            )
        )
    if isinstance(exc, errors.TracerArrayConversionError):
        return done(_numpy_fix(code, subject))
    if isinstance(exc, errors.ConcretizationTypeError):
        return done(_concrete_rule(message, line, subject))
    got = message.partition(", got ")[2]
    if "Shapes must be 1D sequences of concrete values" in message and "Trace" not in got:
        return done(
            (
                f"The shape {got.rstrip('.')} is concrete, not traced, but holds a float: "
                "sizes must be integers.",
                "Make each size an int: int(n), or n // 2 where n / 2 gives a float; a shape "
                "computed from x.shape stays an int.",
                "broadcasting-reshaping"
                if re.search(r"reshape|resize|broadcast_to", code)
                else "array-creation",
            )
        )
    if "Shapes must be 1D sequences of concrete values" in message or (
        "expected a sequence of integers" in message and "Tracer" in message
    ):
        return done(_shape_size_fix(code, subject, "A shape"))
    if "must be static integers" in message or "slice indices must have static" in message:
        m = re.search(r"\[\s*(\w+)\s*:\s*\1\s*\+\s*(\w+)\s*\]", code)
        update = re.search(r"\.at\[\s*(\w+)\s*:[^\]]*\]\.set\((.+)\)", code)
        if update:
            fix = (
                "Write a fixed-size block at a traced start with lax.dynamic_update_slice(x, "
                f"block, ({update.group(1)},)), where block has the static size of the window "
                "(jnp.zeros(size)); or mask: jnp.where(window_mask, value, x)."
            )
        elif m:
            fix = (
                "Slice a fixed size from a traced start with "
                f"lax.dynamic_slice(x, ({m.group(1)},), ({m.group(2)},)) (or "
                "lax.dynamic_slice_in_dim); the size must be static."
            )
        else:
            fix = (
                "Mark the bound static (static_argnums) if it is a setting; otherwise keep the "
                "full shape and mask: jnp.where(jnp.arange(x.shape[0]) < n, x, 0), or take a "
                "fixed-size window with lax.dynamic_slice."
            )
        return done(
            (
                "A slice bound is a tracer, but x[a:b] needs Python integers: the length of the "
                "result would depend on values.",
                fix,
                "dynamic-slicing",
            )
        )
    if "must have __hash__ and __eq__" in message and "Tracer" in message:
        return done(_shape_size_fix(code, subject, "A parameter (size, repeat count or axis)"))
    if "Non-hashable static arguments" in message and "Tracer" in _value_type(message):
        called = re.findall(r"([\w.]+)\(", code)
        callee = next((c for c in called if "." in c), called[0] if called else "a function")
        return done(
            (
                f"{callee} takes this argument as a static Python value (it compiles once per "
                "value), but it was given a tracer: an argument of the jitted function, traced.",
                "Mark that argument of your function static (static_argnums / static_argnames) so "
                "it stays a Python int, or pass a Python constant.",
                "static-args",
            )
        )
    if "Non-hashable static arguments" in message:
        kind = _value_type(message)
        if kind == "list":
            fix = "Pass a tuple instead of a list (tuple(values)): static arguments are hashed."
        elif kind == "dict":
            fix = (
                "Pass a hashable value: a tuple of (key, value) pairs or a frozen dataclass; "
                "or, if it holds arrays, pass the dict traced (not static)."
            )
        elif kind and kind not in ("ArrayImpl", "ndarray", "set"):
            method = re.search(r"\bself\b|jit\(\s*\w+\.\w+\s*,", code)
            fix = (
                f"Make {kind} hashable: a @dataclass(frozen=True) of Python values gets __hash__ "
                "and __eq__ for free, or define both yourself; if it holds arrays, register it "
                "as a pytree (jax.tree_util.register_pytree_node_class) and pass it traced."
            )
            return done(
                (
                    f"A static argument must be hashable (jit keys its cache on it), but a {kind} "
                    "is not: a class that defines __eq__ (as a plain @dataclass does) loses its "
                    "__hash__.",
                    fix,
                    "jit-methods-partial" if method else "static-args",
                )
            )
        else:
            fix = (
                "Arrays cannot be static (they are not hashable): pass it as a normal, traced "
                "argument (remove it from static_argnums), or a tuple of Python numbers."
            )
        return done(
            (
                "A static argument must be hashable (jit keys its cache on it), but a "
                f"{kind or 'value'} is not.",
                fix,
                "static-args",
            )
        )
    if "ShapeDtypeStruct'> is not a valid JAX type" in message:
        return done(
            (
                "A jax.ShapeDtypeStruct describes an array (shape and dtype) but holds no "
                "values, so a jitted function cannot run on it.",
                "To learn the output's shape without running, use jax.eval_shape(f, spec) or "
                "jax.jit(f).lower(spec); to run f, pass a real array (jnp.zeros(spec.shape, "
                "spec.dtype)).",
                "eval-shape",
            )
        )
    if "Error interpreting argument" in message or "is not a valid JAX" in message:
        rule = _not_array_rule(message, line)
        if rule:
            return done(rule)
    if "branch outputs must have the same pytree structure" in message or (
        "true_fun and false_fun output must have identical types" in message
    ):
        return done(
            (
                "The branches of lax.cond (or lax.switch) return different things: every branch "
                "must return the same pytree structure, with the same shapes and dtypes, since "
                "only one compiled program holds them all.",
                "Make every branch return the same structure: e.g. both a tuple of two arrays "
                "(return (x, 0.0) rather than x), with matching shapes and dtypes (astype, "
                "jnp.zeros_like).",
                "cond",
            )
        )
    if "dot_general requires contracting dimensions" in message and _has_call(
        code, "lax.dot_general", "jnp.einsum", "jnp.tensordot", "dot_general", "einsum"
    ):
        return done(
            (
                "The axes a dot_general (or einsum) contracts must have the same size, and "
                "these do not.",
                _dot_general_fix(exc, code)
                or "Pick axes of equal size in dimension_numbers: ((lhs_contracting, "
                "rhs_contracting), (lhs_batch, rhs_batch)), e.g. ((1,), (0,)) for a matrix "
                "product; check both shapes.",
                "dot-general",
            )
        )
    if re.search(r"grad requires real-valued outputs .* but got (?:u?int|bool)", first):
        return done(
            (
                "jax.grad was asked for the gradient of an integer (or boolean) result, such "
                "as an accuracy or a count, which does not change smoothly and has no gradient.",
                "Differentiate a smooth float loss instead (cross-entropy, mean squared error) "
                "and compute the accuracy beside it, e.g. with has_aux=True.",
                "grad",
            )
        )
    if "grad requires real-valued outputs" in message:
        return done(
            (
                "jax.grad differentiates real-valued functions, and this one returns a complex "
                "number.",
                "Return a real number, e.g. jnp.abs(z) ** 2 or z.real; for a holomorphic "
                "function pass jax.grad(f, holomorphic=True) (complex inputs); otherwise use "
                "jax.vjp.",
                "grad",
            )
        )
    if isinstance(exc, NameError) and "unbound axis name" in message:
        axis = re.search(r"unbound axis name: (\w+)", message)
        named = axis.group(1) if axis else "i"
        return done(
            (
                f"A collective (psum, pmean, all_gather...) names the axis {named!r}, but no "
                "enclosing transformation defines an axis of that name.",
                f"Name the mapped axis where you map: jax.vmap(f, axis_name={named!r}) (or "
                f"jax.pmap / jax.shard_map over a mesh axis {named!r}), and call the "
                "collective inside it.",
                "vmap-axis-name",
            )
        )
    if "at vmap out_axes" in message and "None" in message and "batched" in message:
        return done(
            (
                "out_axes=None promises that an output is the same for every example, but it "
                "depends on the mapped input, so it has a batch axis.",
                "Give that output a batch axis: out_axes=0 (the default) for it; keep None only "
                "for outputs that do not depend on mapped inputs.",
                "out-axes",
            )
        )
    missing = _missing_keys(message) if "in_axes specification" in message else []
    if missing:
        entries = ", ".join(f"{k!r}: None" for k in missing)
        return done(
            (
                "An in_axes dict must have the argument's keys (it is a prefix of its pytree), "
                f"and it lacks {', '.join(map(repr, missing))}.",
                f"Give every key an entry, e.g. add {entries} (or 0 to map it), or use one int or "
                "None for the whole dict.",
                "in-axes",
            )
        )
    mismatch = r"pytree structure error|Dict key mismatch"
    if "out_axes specification must be a tree prefix" in message:
        return done(
            (
                "out_axes does not match the outputs: it needs one entry per output (or one "
                "int for all of them).",
                "Give out_axes an entry for every output, out_axes=(0, 0) for two, or "
                "out_axes=0 to stack every output along axis 0.",
                "out-axes",
            )
        )
    if re.search(mismatch, message) or ("tree_map" in message and "metadata" in message):
        return done(
            (
                "jax.tree.map walks several trees together, and they must have the same "
                "structure (the same dict keys, list lengths and node types); these differ.",
                "Give the trees the same structure: compare jax.tree.structure(a) with "
                "jax.tree.structure(b) and rename or rebuild the odd one (e.g. the same dict "
                "keys).",
                "tree-map",
            )
        )
    if "is not a valid dtype for JAX type promotion" in message and "key<" in message:
        return done(
            (
                "Typed keys (jax.random.key) and legacy uint32 keys (jax.random.PRNGKey) are "
                "different dtypes, and JAX will not mix them in one array.",
                "Use one kind: make every key with jax.random.key(seed), or wrap a legacy key "
                "with jax.random.wrap_key_data(k) (and unwrap with jax.random.key_data).",
                "key-impls",
            )
        )
    if "PRNGKey dtype cannot be converted to a NumPy array" in message:
        return done(
            (
                "A typed key (jax.random.key) is not a number array, so NumPy cannot hold it.",
                "Convert its raw data instead: np.asarray(jax.random.key_data(key)); restore it "
                "with jax.random.wrap_key_data(data).",
                "key-impls",
            )
        )
    if ("key_data" in message or "PRNG key" in message) and "nnx.rnglib.Rngs" not in message:
        return done(
            (
                "A random function was given something that is not a PRNG key (an int seed, or "
                "a plain array).",
                "Make a key from the seed and pass that: key = jax.random.key(0), then "
                "jax.random.normal(key, shape); split it for more draws.",
                "random-key",
            )
        )
    if "immutable and do not support in-place" in message or (
        "does not support item assignment" in message
    ):
        m = _ASSIGN_RE.match(code)
        if m and not m.group(3) and re.search(r"[<>]|==|!=|~", m.group(2)):
            target, index, _, value = m.groups()
            return done(
                (
                    "JAX arrays are immutable, and a boolean mask picks a number of elements "
                    "known only from the data, which jit cannot compile.",
                    f"Choose element by element instead: {target} = jnp.where({index}, {value}, "
                    f"{target}) keeps the shape and works under jit.",
                    "masking-where",
                )
            )
        if m:
            target, index, op, value = m.groups()
            fix = f"{target} = {target}.at[{index}].{_AT_METHOD.get(op, 'set')}({value})"
        else:
            fix = "x = x.at[idx].set(y) (or .add, .multiply, .min, .max)"
        return done(
            (
                "JAX arrays are immutable: x[i] = v (or x[i] += v) cannot change one in place.",
                f"Build a new array with .at: {fix}.",
                "at-set",
            )
        )
    loop_rule = _loop_type_rule(exc, message, line)
    if loop_rule:
        return done(loop_rule)
    m = re.match(r"lax\.(\w+) requires arguments to have the same dtypes, got (\w+), (\w+)", first)
    if m:
        return done(
            (
                f"lax.{m.group(1)} does no type promotion: its operands are {m.group(2)} and "
                f"{m.group(3)}.",
                "Convert one operand with astype (e.g. b.astype(a.dtype)) so the dtypes match, "
                "or use the jnp function, which promotes dtypes.",
                "lax-vs-jnp",
            )
        )
    if "select `which` must be boolean" in message or "selector must be" in message:
        return done(
            (
                "lax.select needs a boolean predicate, and got numbers.",
                "Pass a comparison (x > 0) or x.astype(bool); jnp.where(c, a, b) accepts any "
                "truthy array.",
                "select-where",
            )
        )
    if "Pred must be a scalar" in message:
        return done(
            (
                "lax.cond takes one scalar predicate (it runs one branch for the whole input), "
                "but got an array of several booleans.",
                "Reduce it to a scalar with jnp.any / jnp.all, or choose per element with "
                "jnp.where(cond, a, b) (vmap the cond for a batch).",
                "cond",
            )
        )
    if re.search(r"indices must be of integer type, got (float|bool)", first):
        return done(
            (
                f"Indices must be integers, and these are {first.rpartition('got ')[2]}: "
                "jnp.floor, jnp.round and arithmetic with floats give floats, even for whole "
                "numbers.",
                "Cast the index to an integer first: idx.astype(jnp.int32) (or "
                "jnp.floor(v).astype(int)).",
                "indexing",
            )
        )
    if "Index type must be an integer" in message or "index must be" in message.lower():
        return done(
            (
                "lax.switch chooses a branch by an integer index, and got a float.",
                "Convert it: lax.switch(i.astype(jnp.int32), branches, x) (it is clamped to the "
                "branch range).",
                "switch",
            )
        )
    if "scan body output must be a pair" in message or "scan body function" in message:
        return done(
            (
                "The function given to lax.scan must return a pair (new_carry, y).",
                "Return (carry, y) from the body; use (carry, None) when nothing is stacked.",
                "scan",
            )
        )
    if "different leading axis sizes" in message:
        sizes = sorted(set(_ints(message.partition("sizes:")[2])))
        shifted = (
            f" Lengths {sizes[0]} and {sizes[1]} are one apart, as when inputs and next-step "
            "targets come from one sequence: pair x[:-1] with x[1:] (cut the longer one with "
            "[:-1])."
            if len(sizes) == 2 and sizes[1] - sizes[0] == 1
            else f" Cut them to one length, e.g. x[:{sizes[0]}]."
            if sizes
            else ""
        )
        return done(
            (
                "lax.scan walks its xs along the leading axis, and they have different lengths"
                + (f" ({', '.join(map(str, sizes))})." if sizes else "."),
                "Give every array in xs the same leading size (the number of steps); pass "
                "constants through the carry or a closure instead of xs." + shifted,
                "scan",
            )
        )
    if "positional argument" in message and "fori_loop" in code:
        return done(
            (
                "The body of lax.fori_loop is called with two arguments, the index and the carry.",
                "Write the body as body_fun(i, carry) and return the new carry.",
                "fori-loop",
            )
        )
    if "Gradient only defined for scalar-output" in message:
        if "Output was (" in message:
            return done(
                (
                    "jax.grad got a tuple from the function: it treats the whole output as the "
                    "value to differentiate, and that must be one scalar.",
                    "Return (loss, aux) with jax.grad(f, has_aux=True) (or "
                    "jax.value_and_grad(f, has_aux=True)), so only loss is differentiated.",
                    "has-aux",
                )
            )
        return done(
            (
                "jax.grad differentiates a function with one scalar output, and this one "
                "returns an array.",
                "Reduce the output to a scalar (jnp.sum or jnp.mean) for grad; for the full "
                "derivative use jax.jacobian, or jax.vmap(jax.grad(f)) per element.",
                "grad",
            )
        )
    jac = re.match(r"(jacfwd|jacrev|hessian) requires real", first)
    if jac:
        return done(
            (
                f"jax.{jac.group(1)} differentiates with respect to floats, and this input is "
                "an integer array (integers have no derivative).",
                "Pass floats: x.astype(jnp.float32) (or jnp.arange(n, dtype=jnp.float32)).",
                "jacobians",
            )
        )
    ints = _integer_grad_argument(exc, code) if "grad requires real- or com" in message else ""
    if ints:
        return done(
            (
                f"jax.grad differentiates every argument in argnums, and {ints} holds integer "
                "leaves (a step counter, a batch-norm count), which have no gradient.",
                f"Differentiate only the float parameters: argnums=0 (or leave {ints} out of "
                "argnums); if the loss also returns the new state, pass has_aux=True and "
                "return (loss, new_state).",
                "argnums",
            )
        )
    if "grad requires real- or complex-valued inputs" in message:
        return done(
            (
                "jax.grad differentiates with respect to floats, and this input is an integer.",
                "Pass a float: 3.0 instead of 3, or x.astype(jnp.float32).",
                "grad",
            )
        )
    if "vmap got inconsistent sizes" in message:
        return done(
            (
                "vmap maps every argument along one axis, and the mapped axes have different "
                "sizes.",
                "Give mapped arguments the same size along their in_axes axis; use in_axes=None "
                "for an argument that should not be mapped (in_axes=(0, None)).",
                "in-axes",
            )
        )
    if "in_axes specification must be a tree prefix" in message or "len(in_axes)=" in message:
        return done(
            (
                "in_axes does not match the arguments: it needs one entry per positional "
                "argument (or a single int for all of them).",
                "Give in_axes a tuple as long as the argument list, e.g. in_axes=(0, 0) or "
                "(0, None), or in_axes=0 to map every argument along axis 0.",
                "in-axes",
            )
        )
    keyword = re.search(r"vmap\(.*\)\(.*?\b(\w+)\s*=[^=]", code)
    if "vmap was requested to map its argument along axis" in message and keyword:
        kw = keyword.group(1)
        return done(
            (
                f"vmap maps keyword arguments along axis 0 always (in_axes covers positional "
                f"arguments only), so {kw}= was mapped, and it has no axis 0.",
                f"Pass {kw} positionally with None in in_axes (in_axes=(0, None)), or bind it "
                f"first: jax.vmap(functools.partial(f, {kw}=...)).",
                "in-axes",
            )
        )
    if (
        "vmap was requested to map its argument along axis" in message
        and re.search(r"\bkey\b", code)
        and "is only 0" in message
    ):
        return done(
            (
                "vmap was given one key to map over: a key is a scalar, with no batch axis.",
                "Split it into one key per example and map over those: keys = "
                "jax.random.split(key, n), then jax.vmap(walk)(keys, ...); or pass the key "
                "unmapped with in_axes=None if every example may share it.",
                "keys-vmap-jit",
            )
        )
    if "vmap was requested to map its argument along axis" in message:
        scalar = "is only 0" in message
        return done(
            (
                "in_axes names an axis the argument does not have"
                + (
                    ": it is a scalar, or a Python list of numbers (a pytree of scalars, not an "
                    "array)."
                    if scalar
                    else "."
                ),
                "Choose an axis it has (in_axes=0 maps the first) or None for arguments that "
                "should not be mapped"
                + (
                    ", e.g. in_axes=(0, None); make a list of numbers one array to map over it: "
                    "jnp.array(values)."
                    if scalar
                    else "."
                ),
                "in-axes",
            )
        )
    rule = _calling_convention_rule(exc, message, code)
    if rule:
        return done(rule)
    rule = _message_and_line_rule(exc, first, code)
    if rule:
        return done(rule)
    for pattern, *rule in _MESSAGE_RULES:
        if re.search(pattern, first):
            return done(tuple(rule))
    rule = _signature_rule(exc, first, code) or (
        _choice_rule(exc, message, code)
        if isinstance(exc, (ValueError, TypeError, NotImplementedError, RuntimeError))
        else None
    )
    if rule:
        return done(rule)
    unsupported = re.match(r"'(\w+)' argument to (\w+) is not supported\.?\s*(.*)", first)
    if unsupported:
        arg, fn, advice = unsupported.groups()
        return done(
            (
                f"jnp.{fn} follows NumPy's signature but does not take NumPy's {arg}= argument "
                "(jax.numpy leaves out options that do not fit arrays on accelerators).",
                advice or f"Leave {arg}= out; see the jnp.{fn} docs for the JAX equivalent.",
                "numpy-differences",
            )
        )
    if "unsupported format string" in message:
        return done(
            (
                "A tracer has no value to format while JAX traces the function.",
                "Print the value at run time with jax.debug.print('{x:.3f}', x=x), or format "
                "the result outside the jitted function.",
                "debug-print",
            )
        )
    if "requires ndarray or scalar arguments, got <class 'list'>" in message:
        return done(
            (
                "jnp functions take arrays, not Python lists (a list of values is not "
                "converted implicitly, to avoid slow tracing of every element).",
                "Convert first: jnp.asarray(values) (or jnp.array); for a list of arrays, "
                "jnp.stack(values).",
                "jax-numpy",
            )
        )
    if "unsupported operand type" in message and "Tracer" in message and "None" not in message:
        return done(_shape_size_fix(code, subject, "A repeat count"))
    if "cannot interpret" in message or "cannot be interpreted as an integer" in message:
        return done(_shape_size_fix(code, subject, "A size"))
    shape_patterns = (
        r"incompatible shapes|shapes? mismatch|must have the same shape|broadcast|"
        r"cannot reshape|Cannot concatenate|contracting dimensions|same shape"
    )
    if isinstance(exc, (TypeError, ValueError)) and re.search(shape_patterns, message, re.I):
        sampler = re.search(r"random\.(\w+)\(.*(\bshape\s*=|,\s*\(\d+,?[\d, ]*\)\s*[,)])", code)
        if sampler and "broadcast" in message.lower():
            return done(
                (
                    f"jax.random.{sampler.group(1)} draws one value per parameter, so the shape "
                    f"you ask for must broadcast with the parameters' own shape: {first}",
                    "Ask for a shape that ends in the parameters' batch shape, "
                    + (
                        "shape=(n, *logits.shape[:-1]) (categorical drops the axis it samples "
                        f"along){_sampler_shape(message, code)}"
                        if sampler.group(1) == "categorical"
                        else f"e.g. shape=(n, *p.shape){_sampler_shape(message, code)}"
                    )
                    + ", or leave shape out for one draw per parameter.",
                    "samplers",
                )
            )
        if "reshape" in message:
            fix = (
                "The new shape must hold the same number of elements (x.size); write -1 for one "
                "axis to let JAX work it out, e.g. x.reshape(-1, 2)."
            )
        elif "contracting" in message:
            fix = (
                _matmul_advice(exc, code)
                or _unflattened_advice(message)
                or (
                    "The inner sizes of a matrix product must match: check both shapes and "
                    "transpose one (w.T) or swap the operands; for a layer, its in_features "
                    "must match the size of its input's last axis."
                )
            )
        elif "concatenate" in message or "same shape" in message:
            fix = (
                "Make the shapes agree on every axis except the one you join along (pad, slice "
                "or reshape first); jnp.stack needs exactly the same shape."
            )
        else:
            fix = _broadcast_advice(message) or (
                "Check each operand's .shape (js.trace shows them line by line); reshape, "
                "transpose or add an axis with x[:, None] so that they broadcast."
            )
        return done((f"The shapes do not fit together: {first}", fix, "broadcasting-reshaping"))
    rule = _missing_arguments_rule(exc, first) or _python_error_rule(exc, first, code)
    if rule:
        return done(rule)
    explanation = first[:300] if first else f"{name} was raised."
    return name, explanation, "", ""


def _broadcast_advice(message: str) -> str:
    """How to make two shapes JAX refused to broadcast fit, worked out from the shapes."""
    found = re.search(r"broadcasting:?\s*(?:shapes=)?\[?\(([\d, ]*)\),\s*\(([\d, ]*)\)", message)
    if not found:
        return ""
    a, b = _ints(found.group(1)), _ints(found.group(2))
    short, long = sorted((a, b), key=len)
    if len(short) < len(long) and short == long[: len(short)]:
        k = len(long) - len(short)
        new = short + (1,) * k
        index = (
            "[:, None]" if len(short) == 1 and k == 1 else "[..., " + ", ".join(["None"] * k) + "]"
        )
        return (
            f"The {short} operand matches the leading axes of the {long} one, but NumPy's rule "
            f"aligns trailing axes: add axes at its end, x{index} (shape {new}), or "
            f"x.reshape({new}), to broadcast along the rest."
        )
    if len(a) == len(b) == 2 and a == b[::-1]:
        return (
            f"One operand is the other's transpose ({a} and {b}): use x.T (or jnp.swapaxes) on "
            "one of them."
        )
    if len(a) == len(b) == 1:
        return (
            f"Two vectors of lengths {a[0]} and {b[0]} (check each .shape): for every pair, an "
            f"outer product of shape ({a[0]}, {b[0]}), write x[:, None] * y (x reshaped to "
            f"({a[0]}, 1)); elementwise needs equal lengths (slice or pad one)."
        )
    width = max(len(a), len(b))
    pa, pb = (1,) * (width - len(a)) + a, (1,) * (width - len(b)) + b
    clash = [i - width for i in range(width) if 1 not in (pa[i], pb[i]) and pa[i] != pb[i]]
    if not clash:
        return ""
    axes = ", ".join(f"axis {i}: {pa[i]} vs {pb[i]}" for i in clash)
    longer = a if len(a) >= len(b) else b
    pos = len(longer) + clash[0]
    return (
        f"Aligned from the right, the sizes clash at {axes}: each pair must be equal or 1; "
        "reshape, transpose or add an axis with x[:, None] so that they broadcast; if one was "
        f"cut or built to a length, take that length from the other: x.shape[{pos}] "
        f"({longer[pos]})."
    )


def _unflattened_advice(message: str) -> str:
    """A contracting size that is a multiple of the other: features not flattened first."""
    sizes = re.search(r"got \((\d+),\) and \((\d+),\)", message)
    if not sizes:
        return ""
    small, big = sorted(int(v) for v in sizes.groups())
    if small < 2 or big % small or big == small:
        return ""
    return (
        f"The sizes {small} and {big} must match: a layer's in_features must equal the size of "
        f"its input's last axis. If a feature map was not flattened ({big} = {small} x "
        f"{big // small}), flatten it first, x.reshape(x.shape[0], -1); otherwise size the "
        "layer for the input it gets."
    )


def _matmul_advice(exc: BaseException, code: str) -> str:
    """Which operand of a matrix product to transpose, from the operands' own shapes."""
    pair = re.search(
        r"([\w.]+)\s*@\s*([\w.]+)|\b(?:jnp\.)?(?:dot|matmul)\(\s*([\w.]+)\s*,\s*([\w.]+)", code
    )
    if not pair:
        return ""
    left, right = [g for g in pair.groups() if g][:2]
    shapes = []
    for name in (left, right):
        shapes.append(getattr(_dotted_value(exc, name), "shape", None))
    a, b = shapes
    if not a or not b or len(a) < 1 or len(b) < 1:
        return ""
    inner = b[-2] if len(b) >= 2 else b[0]
    said = (
        f"{left} has shape {tuple(a)} and {right} shape {tuple(b)}: the inner sizes {a[-1]} and "
        f"{inner}"
    )
    if len(b) >= 2 and a[-1] == b[-1]:
        return f"{said} differ; {right}'s last axis matches, so transpose it: {left} @ {right}.T."
    if len(a) >= 2 and a[-2] == inner:
        return f"{said} differ; {left}'s first axis matches, so transpose it: {left}.T @ {right}."
    return f"{said} must be equal: check which axis holds the features."


def _libraries(exc: BaseException) -> set[str]:
    """The installed packages (``equinox``, ``optax``, ``flax``...) whose code the traceback of
    ``exc`` passed through: which library's layer raised it."""
    found = set()
    for frame in traceback.extract_tb(exc.__traceback__):
        m = re.search(r"[/\\](?:site|dist)-packages[/\\](\w+)", frame.filename)
        if m:
            found.add(m.group(1))
    return found


def library_concept(exc: BaseException, code: str) -> str:
    """The concept of the model or optimizer library whose code raised ``exc``, else ``""``."""
    libs = _libraries(exc)
    if "flax" in libs:
        nnx = "nnx" in code or any(
            "/nnx/" in frame.filename for frame in traceback.extract_tb(exc.__traceback__)
        )
        return "flax-nnx" if nnx else "flax-linen"
    order = (("equinox", "equinox"), ("haiku", "haiku"), ("optax", "optimizers"))
    found = [c for lib, c in order if lib in libs]
    if found:
        return found[0]
    return "checkpointing" if "orbax" in libs else ""


# habits from PyTorch and NumPy that JAX arrays do not have: attribute -> (fix, concept)
_NOT_ON_ARRAYS = {
    "backward": (
        "JAX has no tape on arrays: differentiate the loss function instead, "
        "grads = jax.grad(loss_fn)(params) (or jax.value_and_grad for the loss too).",
        "grad",
    ),
    "detach": ("Block gradients with jax.lax.stop_gradient(x).", "stop-gradient"),
    "requires_grad": (
        "Nothing is marked for gradients in JAX: jax.grad(f, argnums=...) chooses the "
        "arguments to differentiate.",
        "argnums",
    ),
    "numpy": (
        "Outside jit, np.asarray(x) (or jax.device_get(x)) gives a NumPy array; inside jit "
        "keep using jnp.",
        "host-device-transfer",
    ),
    "cpu": ("Move arrays with jax.device_put(x, jax.devices('cpu')[0]).", "host-device-transfer"),
    "cuda": ("Move arrays with jax.device_put(x, jax.devices()[0]).", "host-device-transfer"),
    "to": (
        "Move arrays with jax.device_put(x, device); change dtypes with x.astype(dtype).",
        "host-device-transfer",
    ),
    "unsqueeze": (
        "Add an axis with x[:, None] or jnp.expand_dims(x, axis).",
        "broadcasting-reshaping",
    ),
    "view": ("Reshape with x.reshape(...) (or jnp.reshape(x, shape)).", "broadcasting-reshaping"),
    "permute": (
        "Reorder axes with x.transpose(axes) (or jnp.transpose).",
        "broadcasting-reshaping",
    ),
    "clone": (
        "Arrays are immutable, so no copy is needed; jnp.copy(x) makes one anyway.",
        "immutable-arrays",
    ),
    "float": ("Change the dtype with x.astype(jnp.float32).", "type-promotion"),
    "long": ("Change the dtype with x.astype(jnp.int32).", "type-promotion"),
    "append": (
        "Arrays do not grow in place: jnp.append(x, v) or jnp.concatenate([x, v]) returns "
        "a new array (or build a Python list and jnp.stack it).",
        "immutable-arrays",
    ),
}


def _library_and_line_rule(
    exc: BaseException, message: str, first: str, code: str
) -> tuple[str, str, str] | None:
    """Causes told by the learner's line, or by the library whose code raised the error, beside
    JAX's message: PyTorch habits on arrays, sequences where arrays are meant, unpacking what
    grad, value_and_grad and tree.map return, vmap's sizes, and Equinox, Flax, Optax, Pallas
    and export errors."""
    import jax

    libs = _libraries(exc)
    attr = re.search(r"has no attribute '?(\w+)'?", first)
    if isinstance(exc, AttributeError) and attr and attr.group(1).rstrip("_") in _NOT_ON_ARRAYS:
        if re.search(r"Tracer|ArrayImpl|Array\b", first):
            name = attr.group(1).rstrip("_")
            fix, concept = _NOT_ON_ARRAYS[name]
            return (
                f"JAX arrays have no .{attr.group(1)}: it is a PyTorch (or NumPy) method, and "
                "jax.Array follows NumPy's API through jax.numpy.",
                fix,
                concept,
            )
    called = re.search(r"([\w.\]\)]+)\.(size|shape|ndim|dtype|device|T|sharding)\(", code)
    if called and "object is not callable" in first:
        target, prop = called.groups()
        instead = {
            "size": f"{target}.shape[0] for the length of the first axis ({target}.size is the "
            "number of elements, a property)",
            "shape": f"{target}.shape[i], an entry of the tuple",
            "device": f"{target}.device (or {target}.devices(), the set of devices it is on)",
        }.get(prop, f"{target}.{prop} without the call")
        return (
            f"{target}.{prop} is a property of a JAX array, not a method, so calling it fails.",
            f"Read it without parentheses: {instead}.",
            "jax-array" if prop in ("device", "sharding") else "jax-numpy",
        )
    if isinstance(exc, jax.errors.TracerBoolConversionError) and re.search(
        r"(?<![\w.])(any|all)\(", code
    ):
        fn = re.search(r"(?<![\w.])(any|all)\(", code).group(1)
        return (
            f"Python's built-in {fn}() loops over the array and asks each element for a "
            "Python bool, which a traced value cannot give.",
            f"Use jnp.{fn}(x), which returns a traced bool to use in jnp.where or lax.cond.",
            "jax-numpy",
        )
    passed = re.search(r"PjitFunction|<function |CustomJVPFunction|CustomVJPFunction", first)
    if passed and "is not a valid JAX type" in first:
        applied = re.search(r"\b((?:jax\.)?(?:lax\.)?stop_gradient)\(([\w.]+)\)\((.*)\)", code)
        fix = (
            f"Apply it to the value: {applied.group(1)}({applied.group(2)}({applied.group(3)}))."
            if applied
            else "Call the function first and pass its value, or pass the function through a "
            "static argument (static_argnums) or a closure."
        )
        return (
            "A function was passed where JAX expects an array (a value, not a function: "
            "stop_gradient, jnp and lax functions act on arrays).",
            fix,
            "stop-gradient" if applied else "static-args",
        )
    if "nondiff_argnums" in message and "Tracer" in first:
        return (
            "nondiff_argnums is for arguments that are not arrays (functions, Python settings); "
            "a traced array was passed in that position.",
            "Pass the array as an ordinary argument and have bwd return None for it (no "
            "gradient), or its zero cotangent; keep nondiff_argnums for non-array values.",
            "custom-vjp",
        )
    repeat = re.search(r"for \*: '(tuple|list)' and '\w*Tracer'|non-int of type '\w*Tracer", first)
    seq = not repeat and re.search(
        r"can't multiply sequence by non-int|unsupported operand type\(s\) for [^:]+: "
        r"('\w+' and )?'(tuple|list)'|can only concatenate (tuple|list)",
        first,
    )
    shapes = _tree_of_shapes(exc) if seq else ""
    if shapes:
        return (
            f"jax.tree.map treats a tuple as a node, so each shape in {shapes} was walked into "
            "and its numbers mapped one by one: the result holds tuples, not arrays.",
            f"Tell it shapes are leaves: jax.tree.map(f, {shapes}, is_leaf=lambda s: "
            "isinstance(s, tuple)).",
            "tree-map",
        )
    pair = _assigned(exc, code, lambda v: isinstance(v, tuple)) if seq else None
    if pair and "checkify" in pair[1]:
        name = pair[0]
        return (
            f"{name} is a pair: a checkified function returns (error, result), not the result "
            "alone.",
            f"Unpack it, err, {name} = {pair[1]}, use {name}, and call err.throw() (outside "
            "jit) to raise a check that failed.",
            "checkify",
        )
    if seq:
        grads = "grad" in code
        return (
            "A Python tuple (or list) is not an array: arithmetic with it does not act "
            "elementwise."
            + (
                " jax.grad with argnums=(0, 1) returns one gradient per argument, as a tuple."
                if grads
                else ""
            ),
            "Unpack it first, gw, gb = grads (grads[0] is the first), and update each value; "
            "for a list of arrays of one shape, jnp.stack(values) makes one array.",
            "argnums" if grads else "jax-numpy",
        )
    unpack = re.search(r"(not enough|too many) values to unpack \(expected (\d+)", first)
    if unpack and "value_and_grad" in code:
        return (
            "With has_aux=True, value_and_grad returns two things, ((value, aux), grads): the "
            "function's own pair, then the gradients.",
            "Unpack it as nested: (loss, aux), grads = jax.value_and_grad(loss_fn, "
            "has_aux=True)(params).",
            "has-aux",
        )
    if unpack and "has_aux" in code and _has_call(code, "jax.grad", "grad"):
        return (
            "With has_aux=True, grad returns a pair: the gradients and the aux value.",
            "Unpack it as grads, aux = jax.grad(loss_fn, has_aux=True)(params).",
            "has-aux",
        )
    if unpack and re.search(r"=\s*jax\.tree(?:_util)?\.(?:tree_)?map\(", code):
        return (
            "jax.tree.map returns one tree with the structure of its input; a function that "
            "returns a pair gives a tree of pairs, not two trees.",
            "Make two maps, a = jax.tree.map(f, tree) and b = jax.tree.map(g, tree), or split "
            "the tree of pairs with jax.tree.transpose.",
            "multi-tree-ops",
        )
    if unpack and re.search(r"\bcho_solve\(|\blu_solve\(", code):
        fn = "cho" if "cho_solve" in code else "lu"
        pair = "(c, lower)" if fn == "cho" else "(lu, piv)"
        return (
            f"jax.scipy.linalg.{fn}_solve takes the pair {pair} that {fn}_factor returns, not "
            "a bare factor.",
            f"Pass what jax.scipy.linalg.{fn}_factor(a) returns"
            + (
                ", or a factor from jnp.linalg.cholesky (lower triangular) as (chol, True)."
                if fn == "cho"
                else "."
            ),
            "scipy-linalg",
        )
    if "linalg" in code and "different numbers of dimensions" in first:
        return (
            "A tuple was passed where a matrix is expected: cho_factor and lu_factor return a "
            "pair (the factor and a flag or pivots), which jnp turns into a ragged array.",
            "Give the pair to cho_solve(c_and_lower, b) (or lu_solve), or take the matrix "
            "itself, c_and_lower[0]; jnp.linalg.cholesky returns the factor alone.",
            "scipy-linalg",
        )
    pair = re.search(
        r"jnp\.(concatenate|stack|hstack|vstack|column_stack)\(\s*([A-Za-z_]\w*)\s*,"
        r"\s*([A-Za-z_]\w*)\s*[,)]",
        code,
    )
    if pair and re.search(r"Zero-dimensional|cannot be concatenated|axis|integer|index", first):
        fn, a, b = pair.groups()
        return (
            f"jnp.{fn} takes one sequence of arrays; its second argument is the axis, so {b} "
            "was read as an axis.",
            f"Put the arrays in a list or tuple: jnp.{fn}([{a}, {b}]).",
            "broadcasting-reshaping",
        )
    sizes = re.search(
        r"jnp\.(reshape|zeros|ones|empty|full)\(\s*([\w.]+\s*,\s*)?(\d+|[a-z_]\w*)"
        r"\s*,\s*(\d+|[a-z_]\w*)\s*\)",
        code,
    )
    if sizes and isinstance(exc, (TypeError, ValueError)):
        fn, x, n, m = sizes.groups()
        lead = f"{x.strip()} " if fn == "reshape" and x else ""
        return (
            f"jnp.{fn} takes the shape as one tuple; the next positional argument is "
            + ("the memory order." if fn == "reshape" else "the dtype (or fill value)."),
            f"Pass the sizes as a tuple: jnp.{fn}({lead.rstrip() + ', ' if lead else ''}({n}, {m}))"
            + (
                f" (the method {x.strip().rstrip(',')}.reshape({n}, {m}) also takes them "
                "separately)."
                if lead
                else "."
            ),
            "broadcasting-reshaping" if fn == "reshape" else "array-creation",
        )
    operand = re.search(r"lax\.(cond|switch)\(.*,\s*\(([^()]+,[^()]*)\)\s*\)", code)
    if operand and "missing" in first and "positional argument" in first:
        kind, items = operand.groups()
        return (
            f"lax.{kind} passes its operands to the branch one by one; here they were packed "
            "into one tuple, so each branch got a single argument.",
            f"Pass them separately, lax.{kind}(..., {items.strip()}), or have each branch take "
            "one tuple and unpack it: def branch(ab): a, b = ab.",
            kind,
        )
    if "vmap got inconsistent sizes" in message:
        return _inconsistent_sizes(exc, message, code)
    if "tree_map tree" in message and "pytree structure error" in message and "optax" in libs:
        if "apply_updates" in code:
            return (
                "optax's update returns a pair, (updates, new_opt_state), and the pair was "
                "used as the updates.",
                "Unpack it: updates, opt_state = tx.update(grads, opt_state, params), then "
                "optax.apply_updates(params, updates).",
                "init-update-apply",
            )
        if re.search(r"with 1 child keys\s*\n\s*params\s*\n", message):
            return (
                "The parameters were given with their collection around them, {'params': ...} "
                "(the whole variables dict), where the parameters themselves were expected.",
                "Take the collection out: params=variables['params'] (in TrainState.create, "
                "tx.init and apply_gradients alike).",
                "train-state",
            )
        missing = _missing_keys(message)
        example = ", ".join(f"{k!r}: False" for k in missing) or "'b': False"
        return (
            "An optax mask (or tree of labels) must have the structure of the parameters, and "
            "this one has different keys.",
            f"Give every parameter an entry, e.g. add {example}, or pass a callable that builds "
            "the mask from the params: mask=lambda p: jax.tree.map(lambda x: x.ndim > 1, p).",
            "per-param-transforms",
        )
    if "shard_map in_specs" in message or "shard_map out_specs" in message:
        which = "in_specs" if "in_specs" in message else "out_specs"
        what = "argument" if which == "in_specs" else "output"
        return (
            f"shard_map's {which} must have one PartitionSpec per {what} (a tuple for several), "
            "and the count differs.",
            f"Give one PartitionSpec for each {what} ({which} has one per {what}), e.g. "
            f"{which}=(P('data'), P()) for two (P() replicates "
            f"one); a single P applies to every {what} only when it is not in a tuple.",
            "shard-map",
        )
    if isinstance(exc, NameError) and "unbound axis name" in message and libs & {"equinox", "flax"}:
        axis = re.search(r"unbound axis name: (\w+)", message)
        named = axis.group(1) if axis else "batch"
        return (
            f"A layer that averages over the batch (such as BatchNorm) names the axis "
            f"{named!r}, so it must run under a transformation that defines that axis.",
            f"Call the model per example under jax.vmap(model, axis_name={named!r}, ...) "
            "(with in_axes for its state), the name the layer was built with.",
            "stateful-layers",
        )
    outer = re.search(r"vmap\(([\w.]+)\)\(([\w.]+)\)", code)
    shape_error = re.search(r"Incompatible shapes|contracting dimensions|dot_general", first)
    if shape_error and "equinox" in libs and outer:
        layer, xs = outer.groups()
        value = _dotted_value(exc, xs)
        each = getattr(value, "shape", ())[1:]
        seen = f" (each example has shape {tuple(each)})" if len(each) > 1 else ""
        return (
            f"Equinox layers act on one unbatched example (eqx.nn.Linear on one vector), and "
            f"under jax.vmap({layer}) each example still has more than one axis{seen}.",
            f"Map over the other axes too: jax.vmap(jax.vmap({layer}, in_axes=1, out_axes=1))"
            f"({xs}) for features on the first axis of each example, or move the features last "
            "(jnp.moveaxis) and vmap once per batch axis.",
            "nested-vmap",
        )
    asked = re.search(r"[Uu]se `?jax\.vmap`?", first)
    call = re.search(r"(?<![\w.])((?:self\.)?[\w.]+)\(([\w.]+)\)", code)
    if asked and call and "vmap" not in code and libs - {"jax", "jaxlib"}:  # a layer's advice
        fn, arg = call.groups()
        return (
            f"{fn} handles one example (a single value, such as one index), and it was given "
            f"a whole batch, {arg}.",
            f"Map it over the batch: jax.vmap({fn})({arg}).",
            library_concept(exc, code) or "vmap",
        )
    if "contracting dimensions" in first and "equinox" in libs:
        return (
            "Equinox layers act on one example: eqx.nn.Linear expects a vector of in_features, "
            "and got the whole batch.",
            "Map the model over the batch: jax.vmap(model)(xs).",
            "equinox",
        )
    return _module_attribute_rule(first) or _model_library_rule(exc, message, first, code, libs)


def _names_a_module(exc: BaseException, code: str, library: str = "equinox") -> bool:
    """True when a name on the learner's line is an object of a ``library`` class (an
    eqx.Module given to a plain JAX transformation, say)."""
    for name in set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)", code)):
        value = _frame_value(exc, name)
        if any(c.__module__.split(".")[0] == library for c in type(value).__mro__):
            return True
    return False


def _tree_of_shapes(exc: BaseException) -> str:
    """The name of a dict or list of shapes (tuples of ints) that the learner's code maps with
    jax.tree.map, else ''."""
    sources = _learner_sources(exc)
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        for name, value in frame.f_locals.items():
            items = (
                value.values()
                if isinstance(value, dict)
                else value
                if isinstance(value, list)
                else ()
            )
            shapes = [
                v
                for v in items
                if isinstance(v, tuple) and v and all(isinstance(d, int) for d in v)
            ]
            if not shapes or len(shapes) != len(items):
                continue
            if any(re.search(rf"tree(?:_util)?\.(?:tree_)?map\(.*\b{name}\b", s) for s in sources):
                return name
    return ""


def _call_arguments(code: str, name: str) -> list[str]:
    """The source of each positional argument of the call of a function whose name ends with
    ``name`` on the line ``code``, else []."""
    import ast

    try:
        tree = ast.parse(code.strip())
    except SyntaxError:
        return []
    for node in ast.walk(tree):
        func = getattr(node, "func", None)
        called = getattr(func, "attr", None) or getattr(func, "id", "")
        if isinstance(node, ast.Call) and called.endswith(name):
            return [ast.unparse(a) for a in node.args]
    return []


def _flax_rule(
    exc: BaseException, first: str, code: str, libs: set[str]
) -> tuple[str, str, str] | None:
    """Flax's collections, rngs, filters and metrics, told by its messages (its own words: Flax
    may hide its frames from the traceback) and the learner's code."""
    rngs = re.search(r"rngs\s*=\s*\{\s*([\"'])(\w+)\1\s*:\s*([\w.]+)", code)
    if "rngs`` argument passed to an apply function" in first and rngs:
        q, stream, given = rngs.groups()
        return (
            f"apply's rngs maps each stream to a PRNG key, and {stream!r} was given {given}, "
            "which is not a key.",
            f"Pass a key: rngs={{{q}{stream}{q}: jax.random.fold_in(key, {given})}} (a fresh "
            f"key per step from one base key), or rngs={{{q}{stream}{q}: dropout_key}} split "
            "from it.",
            "stateful-layers",
        )
    empty = re.search(r'from collection "(\w+)" in "[^"]*" but the collection is empty', first)
    if empty:
        coll = empty.group(1)
        return (
            f"The model reads its {coll!r} collection (a BatchNorm's running averages), and "
            "apply was given the parameters only.",
            f'Pass every collection init made: model.apply({{"params": params, "{coll}": '
            f"{coll}}}, x, ...) (or apply(variables, x) with the whole dict from init).",
            "stateful-layers",
        )
    missing = re.search(r'No Variable named "\w+" for collection "(\w+)"', first)
    if missing and any("mutable=" in src for src in _learner_sources(exc)):
        coll = missing.group(1)
        return (
            f"apply(..., mutable=[...]) returns (out, updates), where updates is a dict of "
            f"collections, {{'{coll}': ...}}; kept whole, it nests {coll!r} once too often "
            "when it is passed back.",
            f'Take the collection out: out, updates = model.apply(..., mutable=["{coll}"]), '
            f'then {coll} = updates["{coll}"].',
            "stateful-layers",
        )
    remainder = "Non-exhaustive filters" in first
    kinds = list(dict.fromkeys(re.findall(r"\b(\w+)\( # ", str(exc)))) if remainder else []
    split = re.search(r"(\w+(?:\s*,\s*\w+)*)\s*=\s*(nnx\.split\((.*)\))", code)
    if kinds and split:
        call, args = split.group(2), split.group(3)
        more = ", ".join(f"nnx.{k}" for k in kinds)
        return (
            f"nnx.split needs a filter for every kind of state the model holds, and {more} "
            "matched none of them.",
            f"Add it: nnx.split({args}, {more}) (and unpack one more state), or end with ... "
            f"to gather the rest: nnx.split({args}, ...).",
            "flax-nnx",
        )
    merge = re.search(r"nnx\.merge\(([^()]*)\)", code)
    if merge and "Incorrect number of leaves" in first:
        given = [a.strip() for a in merge.group(1).split(",")]
        for src in _learner_sources(exc):
            parts = re.search(r"(\w+(?:\s*,\s*\w+)+)\s*=\s*nnx\.split\(", src)
            names = [n.strip() for n in parts.group(1).split(",")] if parts else []
            if len(names) > len(given):
                full = ", ".join(given + names[len(given) :])
                return (
                    "nnx.merge rebuilds the model from the graphdef and every state that "
                    f"nnx.split returned, and it was given {len(given) - 1} of "
                    f"{len(names) - 1}.",
                    f"Pass them all: nnx.merge({full}).",
                    "flax-nnx",
                )
    keyword = re.search(r"Expected keyword argument '(\w+)'", first)
    call = re.search(r"([\w.]+\.update)\(", code)
    if keyword and call:
        name = keyword.group(1)
        return (
            f"The metric reads {name!r} from the keyword arguments of update, and it was not "
            "passed (a metric takes its inputs by name).",
            f"Pass it by name: {call.group(1)}({name}={name}, ...).",
            "metrics-logging",
        )
    if re.search(r"expected logits\.ndim==labels\.ndim\+1, got (\d+) and \1", first):
        return (
            "Accuracy compares logits with class ids, one fewer axis, and these labels have the "
            "logits' own rank: one-hot rows.",
            "Pass class ids: labels.argmax(-1) (jnp.argmax(labels, axis=-1)).",
            "metrics-logging",
        )
    return None


_CALLBACK_SIGNATURES = {
    "data_structures.partition": "predicate(module_name, name, value)",
    "data_structures.filter": "predicate(module_name, name, value)",
    "data_structures.map": "fn(module_name, name, value)",
    "tree.map_with_path": "f(path, leaf, *more_leaves)",
    "tree_map_with_path": "f(path, leaf, *more_leaves)",
}


def _training_library_rule(
    exc: BaseException, first: str, code: str, libs: set[str]
) -> tuple[str, str, str] | None:
    """Equinox, Haiku and Optax: results thrown away, callbacks of the wrong arity, what an
    initializer or a schedule receives."""
    sources = _learner_sources(exc)
    dropped = next(
        (
            m
            for src in sources
            for m in re.finditer(
                r"^\s*((?:eqx\.nn\.inference_mode|eqx\.tree_at|optax\.apply_updates)\((\w+).*\))"
                r"\s*$",
                src,
                re.M,
            )
        ),
        None,
    )
    if dropped and libs & {"equinox", "optax"}:
        call, name = dropped.groups()
        return (
            f"{call.partition('(')[0]} returns a new model and leaves {name} as it was "
            "(Equinox modules are immutable), and its result was thrown away.",
            f"Keep the result: {name} = {call}.",
            "equinox",
        )
    applied = re.search(r"optax\.apply_updates\(\s*([\w.]+)", code)
    model = _dotted_value(exc, applied.group(1)) if applied else None
    if model is not None and type(model).__module__.startswith("equinox"):
        name = applied.group(1)
        return (
            f"{name} is an Equinox module: besides arrays it holds functions and settings, "
            "whose updates are None, and optax.apply_updates adds every leaf.",
            f"Use eqx.apply_updates({name}, updates), which updates the arrays and keeps the rest.",
            "equinox",
        )
    arity = re.search(r"\(\) takes (\d+) positional arguments? but (\d+) were given", first)
    wanted = next((sig for api, sig in _CALLBACK_SIGNATURES.items() if api + "(" in code), "")
    if arity and wanted:
        return (
            f"The library calls this function as {wanted}, with {arity.group(2)} arguments, "
            f"and it takes {arity.group(1)}.",
            f"Take them all: lambda {wanted.partition('(')[2].rstrip(')')}: ... (and test the "
            "ones you need).",
            "haiku" if "haiku" in libs else "tree-map",
        )
    if "get_parameter(" in code and re.search(r"init\s*=\s*jax\.random\.\w+", code):
        return (
            "Haiku calls a parameter's init as init(shape, dtype), with no key (it supplies "
            "the randomness itself), and jax.random functions take a key first.",
            "Use a Haiku initializer: init=hk.initializers.RandomNormal() (or TruncatedNormal, "
            "VarianceScaling); hk.next_rng_key() gives a key inside a transform when you need "
            "one.",
            "haiku",
        )
    created = re.search(r"New parameters were created: \[\('(\w+?)(?:_\d+)?',", first)
    if created and "haiku" in libs:
        module = "".join(part.capitalize() for part in created.group(1).split("_"))
        return (
            "A Haiku module built inside the step of hk.scan (or a loop) makes new parameters "
            "at every step, which scan cannot carry.",
            f"Create the module once, outside the step: layer = hk.{module}(...) before "
            "hk.scan, and call layer(...) inside it.",
            "haiku",
        )
    bounds = next(
        (
            m
            for src in sources
            for m in re.finditer(
                r"join_schedules\((?:.|\n)*?boundaries\s*=\s*([\w.]+)\s*,?\s*\)", src
            )
        ),
        None,
    )
    if bounds and "object is not iterable" in first:
        given = bounds.group(1)
        return (
            "optax.join_schedules takes a list of boundaries, one step per join, and it was "
            "given one number.",
            f"Pass a list: boundaries=[{given}] (one entry fewer than the schedules).",
            "schedules",
        )
    losses = re.search(r"(softmax_cross_entropy\w*)\(\s*(\w+)\s*,\s*(\w+)", code)
    if losses and "optax" in libs and re.search(r"axis -?\d+ is out of bounds", first):
        fn, logits, labels = losses.groups()
        return (
            f"{fn} takes logits (..., classes) and labels with the logits' leading axes, and "
            f"{labels} was reshaped to fewer axes than {logits} has.",
            f"Keep the shapes matched: drop the reshape and pass ({logits}, {labels}) as "
            f"(batch, time, classes) and (batch, time), or flatten both, "
            f"{logits}.reshape(-1, {logits}.shape[-1]) with {labels}.reshape(-1).",
            "losses",
        )
    return None


def _model_library_rule(
    exc: BaseException, message: str, first: str, code: str, libs: set[str]
) -> tuple[str, str, str] | None:
    """Causes told by the model or optimizer library whose code raised: layouts a layer
    expects, keys a library asks for, optimizer states and labels."""
    rule = _flax_rule(exc, first, code, libs) or _training_library_rule(exc, first, code, libs)
    if rule:
        return rule
    stream = re.search(r"No RngStream named '(\w+)' found in Rngs", first)
    if stream:
        name = stream.group(1)
        return (
            f"The layer draws from the {name!r} stream of its nnx.Rngs, and the Rngs has no "
            "stream of that name.",
            f"Give the Rngs that stream, nnx.Rngs(params=0, {name}=1), or build it as "
            "nnx.Rngs(0), whose default stream serves every name.",
            "stateful-layers",
        )
    needs = re.search(r'needs PRNG for "(\w+)"', first)
    if needs:
        name = needs.group(1)
        return (
            f"A Linen layer draws random numbers from the {name!r} stream, and apply was not "
            "given a key for it.",
            f"Pass it by name: model.apply(variables, x, rngs={{'{name}': key}}) (a fresh key "
            "each step), or run the layer deterministically for evaluation.",
            "stateful-layers",
        )
    if re.search(r"Tracer has no attribute '?(params|dropout|default|noise)", first) or (
        "nnx" in code and re.search(r"has no attribute '?(params|dropout|default)", first)
    ):
        return (
            "An NNX layer takes its random streams as an nnx.Rngs object, and was given a bare "
            "key.",
            "Wrap the key: rngs=nnx.Rngs(key) (or nnx.Rngs(0), nnx.Rngs(params=key)).",
            "flax-nnx",
        )
    if "only accessible from inside 'init' or 'apply'" in first:
        return (
            "Submodules defined in setup() exist only while the module is bound to its "
            "variables, inside init or apply.",
            "Run it through apply, model.apply(variables, x, method=lambda m, x: m.encoder(x)) "
            "(or method=Model.encode), or bind the variables first: "
            "model.bind(variables).encoder(x).",
            "flax-linen",
        )
    if "state argument does not appear valid" in first:
        return (
            "A function from hk.transform_with_state takes its state after the params: "
            "apply(params, state, rng, x).",
            "Call f.apply(params, state, rng, x), which returns (out, state); init returns "
            "(params, state).",
            "haiku",
        )
    if re.search(r"Input to `\w+` needs to have rank \d", message) and "equinox" in libs:
        return (
            "Equinox layers act on one example (no batch axis), and this input has a batch "
            "axis in front.",
            "Map the layer over the batch: jax.vmap(layer)(x) (eqx.filter_vmap for a model).",
            "equinox",
        )
    if "make_with_state(" in code and "__call__() missing" in first:
        return (
            "eqx.nn.make_with_state takes the layer's class and its arguments, and builds the "
            "layer and its state itself; it was given a layer already built.",
            "Pass the class: model, state = eqx.nn.make_with_state(eqx.nn.BatchNorm)(3, "
            "axis_name='batch').",
            "stateful-layers",
        )
    if "_LeafWrapper" in first:
        return (
            "eqx.tree_at's where function must only select the part to replace, lambda m: "
            "m.weight; it computed with it instead.",
            "Select, then give the new value: eqx.tree_at(lambda m: m.weight, model, new), or "
            "compute from the old one with replace_fn=lambda w: w * 0.5.",
            "equinox",
        )
    if "self.param(" in code and re.search(r"self\.param\(\s*['\"]\w+['\"]\s*,\s*jnp\.", code):
        return (
            "self.param takes an initializer, a function of (key, *shape), not an array.",
            "Pass the initializer and the shape: self.param('b', nn.initializers.zeros, (3,)), "
            "or a function: self.param('b', lambda key: jnp.zeros(3)).",
            "flax-linen",
        )
    immutable = re.search(r'collection "(\w+)" is immutable', first)
    if immutable:
        c = immutable.group(1)
        return (
            f"A Linen layer (such as BatchNorm) updates its {c!r} collection while training, "
            "and apply was not told it may change.",
            f"Let apply return the update: out, updates = model.apply(variables, x, "
            f"mutable=['{c}']), and keep updates['{c}'] for the next step (or run in "
            "evaluation mode, use_running_average=True).",
            "stateful-layers",
        )
    if "lhs feature dimension size" in first and libs & {"flax", "equinox", "haiku"}:
        if "equinox" in libs:
            return (
                "Equinox's convolutions take one example, channels first, (C, H, W): this "
                "input's channel axis is elsewhere (channels last, or a batch axis in front).",
                "Move the channels first, x.transpose(2, 0, 1) (jnp.moveaxis(x, -1, 0)), and "
                "map over a batch with jax.vmap(conv).",
                "equinox",
            )
        return (
            "Flax and Haiku convolutions take channels last, (N, H, W, C), and this input has "
            "its channels elsewhere (PyTorch's NCHW layout).",
            "Transpose NCHW images to NHWC first: x.transpose(0, 2, 3, 1) "
            "(jnp.moveaxis(x, 1, -1)).",
            "flax-nnx" if "flax" in libs else "haiku",
        )
    args = _call_arguments(code, "integer_labels")
    column = len(args) >= 2 and (
        args[1].endswith("]")
        or getattr(_dotted_value(exc, args[1]), "ndim", 0)
        < getattr(_dotted_value(exc, args[0]), "ndim", 0)
    )
    if "subdtype of <class 'numpy.integer'>" in first and column:
        ids = args[1]
        return (
            "softmax_cross_entropy_with_integer_labels takes class ids as integers, and these "
            "are floats: a column of ids read from a float table stays float.",
            f"Cast them: {ids}.astype(jnp.int32) (ids must be whole numbers in [0, classes)).",
            "losses",
        )
    if "subdtype of <class 'numpy.integer'>" in first and "integer_labels" in code:
        return (
            "softmax_cross_entropy_with_integer_labels takes class ids (integers, one per "
            "example), and these labels are floats: one-hot rows or probabilities.",
            "For one-hot labels call optax.softmax_cross_entropy(logits, labels); or turn them "
            "into ids first: labels.argmax(-1).",
            "losses",
        )
    if "indices and arr must have the same number of dimensions" in first and "labels" in code:
        return (
            "Integer labels must be one id per example, shape (N,), and these have an extra "
            "axis (N, 1).",
            "Drop it: labels.squeeze(-1) (or labels.ravel(), labels[:, 0]).",
            "losses",
        )
    attr = re.search(r"'(EmptyState|tuple)' object has no attribute '(\w+)'", first)
    if attr and ("optax" in libs or "state" in code):
        if attr.group(1) == "EmptyState":
            return (
                f"This optimizer state is an EmptyState (a stateless transformation's): it "
                f"came from another optimizer than the one reading .{attr.group(2)}.",
                "Build the state with the optimizer that updates it: opt_state = "
                "optimizer.init(params), using the same optimizer object.",
                "init-update-apply",
            )
        return (
            f"An optax state is a tuple of the states of its chained transformations, so "
            f".{attr.group(2)} is not on the tuple itself.",
            f"Index the transformation's state first, opt_state[0].{attr.group(2)} for adam, "
            f"or search the tree: optax.tree_utils.tree_get(opt_state, {attr.group(2)!r}).",
            "init-update-apply",
        )
    if re.search(r"object has no attribute '(fast|slow)'", first):
        return (
            "optax.lookahead keeps two copies of the parameters, fast and slow, and was given "
            "plain parameters.",
            "Wrap them: params = optax.LookaheadParams.init_synced(params), and take "
            "params.fast (or .slow) where you need the weights.",
            "optimizers",
        )
    not_array = "is not a valid JAX type" in first or "Error interpreting argument" in first
    if not_array and ("equinox" in libs or _names_a_module(exc, code)):
        if re.search(r"\bjax\.vmap\(", code):
            return (
                "jax.vmap maps every argument, the Equinox model too, and the model holds "
                "non-array leaves (activation functions) that cannot be mapped.",
                "Share the model across the batch: jax.vmap(f, in_axes=(None, 0, 0))(model, xs, "
                "ys), or eqx.filter_vmap(f, in_axes=(None, 0, 0)).",
                "per-example-gradients",
            )
        return (
            "An Equinox model holds non-array leaves (activation functions, Python values), "
            "and a plain JAX transformation tries to trace every leaf.",
            "Use Equinox's filtered transformations, eqx.filter_grad / eqx.filter_jit / "
            "eqx.filter_value_and_grad, or split it: eqx.partition(model, eqx.is_array).",
            "equinox",
        )
    return None


def _missing_keys(message: str) -> list[str]:
    """The dict keys the full tree has and the prefix lacks, from a pytree structure error."""
    diff = re.search(r"symmetric difference on key sets is\s*\n\s*(.+)", message)
    if diff:
        return sorted(diff.group(1).replace(",", " ").strip(" '\"").split())
    lists = re.findall(r"keys \[([^\]]*)\]", message)
    if len(lists) < 2:
        return []
    short, full = ({k.strip(" '\"") for k in part.split(",")} for part in lists[:2])
    return sorted(full - short)


# argument names that say "parameters, the same for every example", not data
_PARAM_NAMES = r"(w|W|params?|weights?|bias|kernel|theta|model|state|coeffs?)\d?"


def _inconsistent_sizes(exc: BaseException, message: str, code: str) -> tuple[str, str, str]:
    """vmap's mapped axes differ in size: name the odd arguments and the in_axes that leaves
    them unmapped, where the call on the line (or the mapped function's own parameters, which
    JAX's message names) shows the arguments."""
    import inspect

    odd = list(
        dict.fromkeys(re.findall(r"one axis had size \d+: axis \d+ of argument (\w+)", message))
    )
    if "most axes" not in message:  # two sizes, one argument each: the parameters are odd
        odd = [o for o in odd if re.fullmatch(_PARAM_NAMES, o)] if len(odd) == 2 else []
        odd = odd if len(odd) == 1 else []
    call = re.search(r"\)\(([\w\s,]+)\)\s*$", code)
    fix = (
        "Give mapped arguments the same size along their in_axes axis; use in_axes=None for an "
        "argument that should not be mapped (in_axes=(0, None))."
    )
    mapped = re.search(r"vmap\((?:jax\.(?:grad|value_and_grad)\()?(\w+)", code)
    fn = _frame_value(exc, mapped.group(1)) if mapped else None
    try:
        params = list(inspect.signature(fn).parameters) if callable(fn) else []
    except (TypeError, ValueError):
        params = []
    if odd and call:
        names = [a.strip() for a in call.group(1).split(",") if a.strip()]
        if len(params) == len(names) and all(o in params for o in odd):
            names = params  # JAX names the mapped function's parameters
        axes = ["None" if any(n == o or n.rstrip("s") == o for o in odd) else "0" for n in names]
        if "None" in axes and "0" in axes:
            fix = (
                f"{', '.join(odd)} has another size: it is the same for every example "
                f"(parameters, not data), so do not map it: in_axes=({', '.join(axes)})."
            )
    return (
        "vmap maps every argument along one axis, and the mapped axes have different sizes.",
        fix,
        "per-example-gradients" if "grad" in code else "in-axes",
    )


def _static_name_rule(exc: BaseException, first: str, code: str) -> tuple[str, str, str] | None:
    """static_argnames names no parameter: suggest the parameter it was meant to be."""
    import difflib
    import inspect

    bad = re.search(r"invalid argnames \{'?([^}']+)'?\}", first)
    jitted = re.search(r"jax\.jit\(\s*(\w+)", code)
    fn = _frame_value(exc, jitted.group(1)) if jitted else None
    if not bad or not callable(fn):
        return None
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None
    close = difflib.get_close_matches(bad.group(1), params, n=1, cutoff=0.0)
    if not close:
        return None
    return (
        f"static_argnames names {bad.group(1)!r}, but {jitted.group(1)} takes "
        f"({', '.join(params)}): there is no parameter of that name.",
        f"Name the parameter itself: static_argnames={close[0]!r} (or static_argnums with its "
        "position).",
        "static-args",
    )


# causes known by the first line of JAX's message alone: (pattern, explanation, fix, concept)
_MESSAGE_RULES = (
    (
        r"only real valued inputs supported for rfft",
        "rfft is the FFT of a real signal (it keeps only the non-negative frequencies); this "
        "input is complex.",
        "Use jnp.fft.fft for complex input, or take the real part first if that is what you "
        "mean (jnp.fft.rfft(x.real)).",
        "jax-numpy",
    ),
    (
        r"Invalid norm value",
        "The FFT's norm= names where the 1/n scaling goes: 'backward' (on the inverse, the "
        "default), 'ortho' (1/sqrt(n) on both) or 'forward'.",
        "For a unitary, energy-preserving transform pass norm='ortho'.",
        "jax-numpy",
    ),
    (
        r"Invalid order '?(fro|nuc)'? for vector norm",
        "'fro' and 'nuc' are matrix norms, and the array given is a vector (1-D).",
        "For a vector use ord=2 or leave ord out (the 2-norm of the flattened matrix is its "
        "Frobenius norm), or pass the matrix itself without ravel.",
        "scipy-linalg",
    ),
    (
        r"reshape new_sizes must all be positive",
        "lax.reshape takes every size explicitly; it does not work out a -1 as jnp.reshape does.",
        "Use jnp.reshape(x, shape) (or x.reshape), which accepts -1, or give lax.reshape the "
        "full shape, computed from x.shape.",
        "lax-vs-jnp",
    ),
    (
        r"^(?!(and|or|xor|not|invert) )(\w+) does not accept dtype (int|uint|bool)\w*\. "
        r"Accepted dtypes are subtypes of (floating|inexact)",
        "lax functions are strict: they do not promote an integer array to float as jax.numpy "
        "does, and this one takes floating-point input only.",
        "Convert first, x.astype(jnp.float32), or call the jnp version (e.g. jnp.exp), which "
        "promotes integers to float.",
        "lax-vs-jnp",
    ),
    (
        r"Too many indices: array is (\d)-dimensional, but (\d+) were indexed",
        "The array has fewer axes than the indices given (a vector indexed like a matrix).",
        "Give one index per axis it has (check x.shape and x.ndim): x[i] for a vector; to make "
        "a column first, x[:, None]; a batch axis may be missing (vmap maps it away).",
        "indexing",
    ),
    (
        r"must have shape \[\.\.\., n, n\]",
        "This linear-algebra function takes square matrices (the last two axes equal), and got "
        "another shape.",
        "Pass an (n, n) matrix (a batch of them as (..., n, n)); reshape a flat vector with "
        "x.reshape(n, n), or for a least-squares solve of a non-square system use "
        "jnp.linalg.lstsq.",
        "scipy-linalg",
    ),
    (
        r"Einstein sum subscript '(\w*)' does not contain the correct number of indices",
        "An einsum subscript needs one letter per axis of its operand, and one of them has "
        "another number of axes.",
        "Write one letter per axis ('i' for a vector, 'ij' for a matrix, 'bij' for a batch of "
        "them): check each operand's x.ndim, or add the axis it lacks with x[None].",
        "dot-general",
    ),
    (
        r"data type '\w+' not understood|with dtype <U\d+ is not a valid JAX array type",
        "JAX arrays hold numbers and booleans only: strings cannot be put in an array.",
        "Keep strings on the Python side: map them to integer ids first (ids = "
        "jnp.array([vocab[w] for w in words])), and pass those.",
        "array-creation",
    ),
    (
        r"JAX only supports number, bool, and string dtypes, got dtype (float128|complex256|"
        r"longdouble|clongdouble)",
        "JAX has no extended-precision (128-bit) floats.",
        "Use jnp.float64 (with jax.config.update('jax_enable_x64', True)), or float32.",
        "default-dtypes-x64",
    ),
    (
        r"unsupported operand type\(s\) for [^:]+: 'dict' and 'dict'",
        "Arithmetic does not reach inside a dict: two trees of parameters are not arrays.",
        "Combine them leaf by leaf with jax.tree.map over both trees: jax.tree.map(lambda p, g: "
        "p - lr * g, params, grads) (the trees must have the same structure).",
        "multi-tree-ops",
    ),
    (
        r"unsupported operand type\(s\) for [^:]+: '(dict|\w+)' and '(dict|\w+)'(?<=dict')|"
        r"unsupported operand type\(s\) for [^:]+: 'dict'",
        "Arithmetic does not reach inside a dict: a tree of parameters is not an array.",
        "Apply it to every leaf with jax.tree.map: jax.tree.map(lambda p: p * 0.1, params), or "
        "for two trees jax.tree.map(lambda p, g: p - lr * g, params, grads).",
        "tree-map",
    ),
    (
        r"map_coordinates currently requires order<=1",
        "JAX's map_coordinates interpolates only to order 1: nearest (order=0) or linear "
        "(order=1); cubic splines are not implemented.",
        "Use order=1 (linear) or order=0 (nearest); for smoother results sample a finer grid "
        "or fit the spline yourself.",
        "scipy-linalg",
    ),
    (
        r"The 'raise' mode to jnp\.take is not supported",
        "Under jit JAX cannot raise on an out-of-bounds index (the values are not known), so "
        "jnp.take has no mode='raise'.",
        "Choose what happens instead: mode='clip' (clamp) or mode='fill' with fill_value=...; "
        "to fail on bad indices, check them with jax.experimental.checkify.",
        "out-of-bounds",
    ),
    (
        r"object of type 'generator' has no len\(\)",
        "A generator went where JAX needs a sequence: it has no length and is consumed once.",
        "Make it a list first, [x * s for s in scales] (a list comprehension, not a generator), "
        "then jnp.stack(...) it.",
        "jax-numpy",
    ),
    (
        r"select with boolean `which` cannot have > 2 cases",
        "lax.select_n with a boolean `which` picks between two cases only (False: the first, "
        "True: the second).",
        "For three or more cases pass an integer index, which.astype(jnp.int32) (0, 1, 2, ...), "
        "or nest jnp.where calls.",
        "select-where",
    ),
    (
        r"No VJP defined for custom_vjp function",
        "A jax.custom_vjp function needs its forward and backward rules before it is "
        "differentiated, and none were given.",
        "Define fwd(x) -> (out, residuals) and bwd(residuals, g) -> a tuple of cotangents, "
        "then attach them: f.defvjp(fwd, bwd).",
        "custom-vjp",
    ),
    (
        r"No JVP defined for custom_jvp function",
        "A jax.custom_jvp function needs its JVP rule before it is differentiated.",
        "Attach one with @f.defjvp on a function of (primals, tangents) returning "
        "(primal_out, tangent_out).",
        "custom-jvp",
    ),
    (
        r"primal and tangent arguments to jax\.jvp must have the same tree structure",
        "jax.jvp takes one tangent per primal, in the same structure (a tuple of the same length).",
        "Give each primal its tangent, in the same structure (a dict of params takes a dict of "
        "tangents: jax.tree.map(jnp.ones_like, params)), with zeros for the ones held fixed: "
        "jax.jvp(f, (x, y), (dx, jnp.zeros_like(y))).",
        "jvp",
    ),
    (
        r"unhashable type: '\w*Tracer'",
        "A traced value was used as a dict key or set member: Python needs its concrete value "
        "to hash it.",
        "Put the values in an array and index it: jnp.array([v0, v1, v2])[i] (jnp.asarray of "
        "the dict's values in key order); for functions, lax.switch(i, [f0, f1, f2], x).",
        "static-vs-traced",
    ),
    (
        r"Invalid mixing of symbolic scopes",
        "Symbolic dimensions made by separate export.symbolic_shape calls live in separate "
        "scopes, and one export cannot mix them.",
        "Create them in one call, a, b = export.symbolic_shape('a, b'), or pass the same "
        "scope= to each call.",
        "export",
    ),
    (
        r"Length of slice indices must match number of operand dimensions",
        "lax.dynamic_slice (and dynamic_update_slice) take one start index per dimension of "
        "the operand.",
        "Give a start per dimension, (r, 0) for a 2-D array (with slice sizes for both), or "
        "use lax.dynamic_slice_in_dim(x, r, size, axis=0) for one axis.",
        "dynamic-slicing",
    ),
    (
        r"'numpy\.ndarray' object has no attribute 'at'",
        "x.at[...] exists on JAX arrays only, and this is a NumPy array.",
        "Make it a JAX array first, jnp.asarray(buf) (or build it with jnp.zeros, not np.zeros), "
        "then buf.at[i].set(v); with NumPy, assign in place: buf[i] = v.",
        "immutable-arrays",
    ),
    (
        r"assignment destination is read-only",
        "np.asarray of a JAX array gives a read-only view of its buffer, and it was written to.",
        "Take a writable copy, np.array(x) (copy=True), or update the JAX array itself: "
        "x = x.at[i].set(v).",
        "host-device-transfer",
    ),
    (
        r"iteration over a 0-d array",
        "A scalar (0-d) array was unpacked or looped over: it has no items (often a carry "
        "started as one array and unpacked as a pair, h, c = carry).",
        "Give it the structure you unpack: start the carry as a tuple, (h0, c0) = "
        "(jnp.zeros(n), jnp.zeros(n)); index arrays with x[i], and loop over values with "
        "lax.scan.",
        "scan",
    ),
    (
        r"`deterministic` is False, but no `rngs` argument was provided to Dropout",
        "nnx.Dropout in training mode draws a random mask and has no key stream to draw it from.",
        "Give it rngs: nnx.Dropout(rate, rngs=rngs) in __init__ (or rngs= when calling it); "
        "for evaluation switch it off with model.eval() (deterministic=True).",
        "stateful-layers",
    ),
    (
        r"Missing required argument `wrt`",
        "nnx.Optimizer must be told which variables it updates.",
        "Pass them: nnx.Optimizer(model, tx, wrt=nnx.Param).",
        "train-state",
    ),
    (
        r"Cannot mutate \w+ from a different trace level",
        "An NNX module was closed over by a JAX transformation (jax.jit, jax.grad, ...) and "
        "changed inside it: its variables belong to the outer trace.",
        "Pass the model as an argument of an NNX transformation, nnx.jit / nnx.grad (which "
        "carry its state in and out), or nnx.split it and nnx.merge inside a jax.jit.",
        "flax-nnx",
    ),
    (
        r"invalid shape in fixed-type tuple",
        "A tuple of arrays of different shapes went where one array was expected: often a "
        "function that returns a pair (apply with mutable=, value_and_grad, has_aux, scan) "
        "used as one value.",
        "Unpack the pair first, e.g. logits, updates = model.apply(..., mutable=[...]), and "
        "use the array you need.",
        "stateful-layers",
    ),
    (
        r"All `hk\.Module`s must be initialized inside an `hk\.transform`",
        "Haiku modules hold no parameters themselves: they are built and called only inside "
        "a function given to hk.transform.",
        "Wrap the code that builds and calls them: f = hk.transform(lambda x: hk.Linear(4)(x)); "
        "params = f.init(key, x); f.apply(params, key, x).",
        "haiku",
    ),
    (
        r"Apply must be called with an RNG as the second argument",
        "A function from hk.transform takes a key as apply's second argument, before the inputs.",
        "Call f.apply(params, rng, x) (rng may be None without randomness), or transform with "
        "hk.without_apply_rng(hk.transform(fn)) to drop it.",
        "haiku",
    ),
    (
        r"accepts a single key, but was given a key array of shape",
        "A sampler takes one key, and was given an array of keys (what jax.random.split returns).",
        "Take one key from it, keys[0], or unpack the split: k1, k2 = jax.random.split(key); "
        "for one draw per key, jax.vmap(lambda k: jax.random.normal(k, shape))(keys).",
        "split",
    ),
    (
        r"'(dict|list|tuple)' object has no attribute '(ndim|shape|dtype|size|T)'",
        "This value is a container (a pytree of arrays), not an array, so it has no array "
        "attributes.",
        "Map over its leaves: jax.tree.map(lambda x: x.ndim > 1, tree); an Optax mask callable "
        "gets the whole params tree and must return such a tree.",
        "tree-map",
    ),
    (
        r"(\w*TrainState)\.__init__\(\) got an unexpected keyword argument '(\w+)'",
        "flax's TrainState has fields for params, the optimizer and a step only: other state "
        "(batch_stats, a key) needs a field of its own.",
        "Subclass it with the field: class TrainState(train_state.TrainState): batch_stats: "
        "Any, then TrainState.create(..., batch_stats=...).",
        "train-state",
    ),
    (
        r"Module instance is frozen outside of setup",
        "A Linen module is frozen once set up: __call__ cannot store values on self.",
        "Keep it a local variable and return it, or record it with self.sow('intermediates', "
        "'name', value) and read it from apply(..., mutable=['intermediates']).",
        "flax-linen",
    ),
    (
        r"must pass a non-None PRNGKey to init and/or apply",
        "The Haiku function draws random numbers (dropout, a sampler), so init and apply need "
        "a key, and None was given.",
        "Pass a key: f.apply(params, jax.random.key(0), x) (split a fresh one each step); "
        "without randomness, transform with hk.without_apply_rng instead.",
        "haiku",
    ),
    (
        r"Dropout requires a key when running in non-deterministic mode",
        "Equinox's Dropout draws a random mask, so it needs a key in training mode.",
        "Pass one: dropout(x, key=subkey) (split a fresh key per call), or turn it off for "
        "evaluation with inference=True (eqx.nn.inference_mode(model)).",
        "stateful-layers",
    ),
    (
        r"unexpected PRNG key type <class 'flax\.nnx\.rnglib\.Rngs'>",
        "An nnx.Rngs is a collection of key streams, not a key, and a random function was "
        "given the whole object.",
        "Draw a key from a stream: rngs() or rngs.params() (rngs.dropout() for dropout), and "
        "pass that.",
        "flax-nnx",
    ),
    (
        r"no available implicit dtype promotion path.*8-bit floats",
        "8-bit floats never promote implicitly: JAX will not guess a common type for them and "
        "another float.",
        "Cast explicitly to the type you want, e.g. x8.astype(jnp.float16) + h, or both to "
        "float32 with .astype(jnp.float32).",
        "low-precision",
    ),
    (
        r"no (available )?implicit dtype promotion path",
        "JAX found no implicit promotion between these dtypes (strict promotion is on, or the "
        "pair has no safe common type).",
        "Cast one operand explicitly with .astype(dtype) (jnp.promote_types(a, b) names the "
        "type JAX would choose), so the result type is the one you mean.",
        "type-promotion",
    ),
    (
        r"Duplicate custom PyTreeDef type registration",
        "A class can be registered as a pytree node only once per process, and this code "
        "registers it again each time it runs.",
        "Register it once, at module level right after the class (or decorate the class with "
        "@jax.tree_util.register_pytree_node_class); never inside a function that runs many "
        "times.",
        "custom-nodes",
    ),
    (
        r"'SequenceKey' object has no attribute",
        "A key path's entries differ by container: a list or tuple entry is a SequenceKey "
        "(its position is .idx), a dict entry a DictKey (.key), an attribute a GetAttrKey "
        "(.name).",
        "Read the field of the entry you have (path[-1].idx for a list), or compare the path "
        "as text: jax.tree_util.keystr(path).",
        "key-paths",
    ),
    (
        r"'(DictKey|GetAttrKey)' object has no attribute",
        "A key path's entries differ by container: a dict entry is a DictKey (.key), an "
        "attribute a GetAttrKey (.name), a list or tuple entry a SequenceKey (.idx).",
        "Read the field of the entry you have, or compare the path as text: "
        "jax.tree_util.keystr(path).",
        "key-paths",
    ),
    (
        r"invalid value \((nan|inf)\) encountered in",
        "jax.debug_nans / jax.debug_infs found a nan or inf made by this operation (JAX reran "
        "the function op by op to find it): a division by zero, a log of 0 or a sqrt of a "
        "negative.",
        "Guard the input: divide by jnp.maximum(v, eps), or pick a safe value first with "
        "jnp.where(v != 0, v, 1.0) (also in the other branch, so gradients stay finite); clip "
        "before log and sqrt.",
        "debug-nans",
    ),
    (
        r"has been deleted|deleted or donated",
        "An array was used after its buffer was freed: a jitted function given it in "
        "donate_argnums reused its memory for the result (or x.delete() was called).",
        "Do not read a donated argument after the call: use the function's result instead "
        "(x = f(x)), pass a copy (jnp.copy(x)), or drop donate_argnums for that argument.",
        "donation",
    ),
    (
        r"scan got no values to scan over",
        "lax.scan was given nothing to scan over (xs is None or an empty pytree), so it cannot "
        "tell how many steps to take.",
        "Say how many: lax.scan(step, init, xs=None, length=n); or pass xs whose leading axis "
        "has one entry per step.",
        "scan",
    ),
    (
        r"Too (?:few|many) leaves for PyTreeDef",
        "jax.tree.unflatten was given a different number of leaves than the structure holds.",
        "Pass exactly treedef.num_leaves leaves, in the order jax.tree.leaves gives them; "
        "flatten and unflatten the same structure (leaves, treedef = jax.tree.flatten(tree)). "
        "To change only some leaves, keep the rest: jax.tree.map(lambda x: f(x) if keep(x) else "
        "x, tree) keeps the structure.",
        "flatten-unflatten",
    ),
    (
        r"has static_argnums=.*only accepts",
        "static_argnums points past the function's positional parameters.",
        "static_argnums counts the function's own parameters from 0: use a position it has, or "
        "name the parameter with static_argnames=('name',).",
        "static-args",
    ),
    (
        r"must have at least one non-None value in in_axes",
        "vmap was told to map no argument at all (every in_axes entry is None), so it does not "
        "know the batch size.",
        "Map at least one argument (in_axes=0 for it), or give the batch size with "
        "jax.vmap(f, in_axes=None, axis_size=n).",
        "in-axes",
    ),
    (
        r"cond_fun must return a boolean scalar",
        "lax.while_loop's cond_fun returned a number, not a boolean: the loop runs while the "
        "condition is true, and only a comparison says that.",
        "Return a boolean scalar from cond_fun: compare, e.g. lambda s: s[1] > 0 (not s[1]); "
        "for an array of conditions reduce it to one, jnp.all(err > tol) / jnp.any(...) (or "
        "jnp.max(jnp.abs(err)) > tol).",
        "while-loop",
    ),
    (
        r"select cases must have the same shapes",
        "lax.select does not broadcast: both cases must have the predicate's shape.",
        "Give both cases the same shape, jnp.zeros_like(x) or jnp.full_like(x, c) for a "
        "constant; or use jnp.where(pred, x, 0.0), which broadcasts.",
        "select-where",
    ),
    (
        r"Cannot take a larger sample",
        "jax.random.choice with replace=False draws each item at most once, so it cannot draw "
        "more items than the population holds.",
        "Ask for at most as many samples as there are items, or sample with replace=True "
        "(a bootstrap resample draws with replacement).",
        "samplers",
    ),
    (
        r"does not accept dtypes? .*key<",
        "A PRNG key is not a number: arithmetic on it (key + step) is not defined.",
        "Derive a new key from the old one: jax.random.fold_in(key, step) for a key per step "
        "(or jax.random.split(key) for fresh keys).",
        "fold-in",
    ),
    (
        r"requires a non-empty mesh in context",
        "A PartitionSpec alone names mesh axes, but no mesh is set, so JAX cannot tell which "
        "devices they mean.",
        "Pass a full sharding, NamedSharding(mesh, P('data')), or set the mesh around the code: "
        "with jax.set_mesh(mesh): ... .",
        "sharding-constraints",
    ),
    (
        r"out_specs which require replication which can't be statically inferred",
        "out_specs=P() says the output is the same on every device, but the function returns a "
        "per-device value (it was never reduced across the axis).",
        "Reduce it across the axis before returning, jax.lax.psum(x, 'data'), or keep it "
        "per-device with out_specs=P('data').",
        "shard-map",
    ),
    (
        r"Indexer must have integer or boolean type, got indexer with type float",
        "An index is a float (from / division, or a float variable); arrays are indexed by "
        "integers.",
        "Divide with // for an integer (x[n // 2]), or convert: int(i) for a Python value, "
        "i.astype(jnp.int32) for a traced one.",
        "indexing",
    ),
    (
        r"array split does not result in an equal division",
        "jnp.split(x, n) cuts into n equal parts, and the length is not a multiple of n.",
        "Use jnp.array_split(x, n), which allows parts of unequal size, or pass the cut points "
        "jnp.split(x, [2, 4]).",
        "broadcasting-reshaping",
    ),
    (
        r"method is not available on traced array",
        "That array method waits for or moves a device buffer, which exists only for concrete "
        "arrays, not for the tracers a jitted function works on.",
        "Call it outside the jitted function, on its result: f(x).block_until_ready() (inside "
        "jit, JAX already orders the work).",
        "async-dispatch",
    ),
    (
        r"jvp called with different primal and tangent shapes",
        "Each tangent given to jax.jvp is a direction for its primal, so it must have the "
        "primal's shape and dtype.",
        "Give each tangent its primal's shape: jax.jvp(f, (x,), (jnp.ones_like(x),)), or a "
        "direction vector v with v.shape == x.shape.",
        "jvp",
    ),
    (
        r"Custom VJP fwd rule .* must produce a pair",
        "A custom_vjp fwd rule returns two things: the primal output and the residuals that "
        "bwd will need.",
        "Return a pair from fwd: return y, (x,) (the residuals, passed to bwd first), or "
        "return y, None when bwd needs no residual.",
        "custom-vjp",
    ),
    (
        r"Custom JVP rule .* must produce a pair",
        "A custom_jvp rule returns two things: the primal output and its tangent.",
        "Return both: primal_out = f(x); return primal_out, tangent_out (the rule receives "
        "(primals, tangents)).",
        "custom-jvp",
    ),
    (
        r"linearized function called on tangent values inconsistent",
        "The function jax.linearize returns pushes tangents forward: it takes a tangent shaped "
        "like the input (J·v), not a cotangent shaped like the output.",
        "Give it an input-shaped tangent (jnp.ones_like(x)); to pull an output cotangent back "
        "(v·J, a gradient) use y, pullback = jax.vjp(f, x).",
        "linearize",
    ),
    (
        r"lower and upper arguments to fori_loop must have equal types",
        "lax.fori_loop's bounds must both be integers of one type, and one of them is a float.",
        "Make the bounds integers: lax.fori_loop(0, int(n), body, init) for a Python number, "
        "n.astype(jnp.int32) for a traced one.",
        "fori-loop",
    ),
    (
        r"overflow was encountered while parsing an argument|too large to convert to int32",
        "JAX uses 32-bit integers by default, and this Python int does not fit in int32.",
        "Use an unsigned or wider type, jnp.uint32(value), or enable 64-bit integers with "
        "jax.config.update('jax_enable_x64', True) at start-up.",
        "default-dtypes-x64",
    ),
    (
        r"Invalid out_shape type",
        "pallas_call's out_shape describes the output array (shape and dtype), not just its shape.",
        "Pass a jax.ShapeDtypeStruct(x.shape, x.dtype) (or a pytree of them) as out_shape.",
        "pallas",
    ),
    (
        r"requires the current value of parameters, but you are not passing `params`",
        "This optax transformation (weight decay, for instance) needs the parameters to "
        "compute its update.",
        "Pass them as the third argument: updates, opt_state = optimizer.update(grads, "
        "opt_state, params).",
        "optimizers",
    ),
    (
        r"axis -?\d+ is out of bounds for array of dimension \d+",
        "An axis number is past the array's last axis: an array with ndim d has axes 0 to d-1 "
        "(or -1 to -d, counted from the end).",
        "Pick an axis the array has: check x.ndim and x.shape (js.trace shows them line by "
        "line); axis=-1 always means the last axis.",
        "jax-numpy",
    ),
    (
        r"`jax\.device_put` only accepts",
        "jax.device_put takes a device or a sharding, not a name.",
        "Pass a device, jax.device_put(x, jax.devices('cpu')[0]), or a sharding, "
        "jax.device_put(x, NamedSharding(mesh, P('data'))).",
        "jax-array",
    ),
    (
        r"branches argument should be a sequence of callables",
        "lax.switch picks its branch by position, so it takes a list (or tuple) of functions; "
        "it was given something else, such as a dict.",
        "Pass a sequence in index order: lax.switch(i, [f0, f1, f2], x) (list(table.values()) "
        "when a dict's keys are 0, 1, 2...).",
        "switch",
    ),
    (
        r"scan got value with no leading axis",
        "Every leaf of lax.scan's xs needs a leading axis, one entry per step; a scalar has "
        "none, and a Python list of numbers is a pytree of scalars, not an array.",
        "Make xs one array, jnp.array(values) (or jnp.stack a list of arrays); a value that is "
        "the same at every step goes in the carry or is closed over.",
        "scan",
    ),
    (
        r"Custom VJP bwd rule must produce an output with the same container",
        "A custom_vjp bwd rule must return a tuple with one cotangent per primal input, in "
        "order, and this one returned fewer (or another structure).",
        "Return a tuple with one entry per primal input, e.g. return (g * scale, None): None "
        "where an input gets no gradient, (g,) for a single input (or mark a non-array input "
        "with nondiff_argnums).",
        "custom-vjp",
    ),
    (
        r"takes a scalar pred as argument, got \w+\(bool\[\d",
        "checkify.check needs one boolean, and the condition is an array of them (one per "
        "element).",
        "Reduce it to one: checkify.check(jnp.all(q >= 0), ...) when every element must pass "
        "(jnp.any when one is enough).",
        "checkify",
    ),
    (
        r"Argument types differ from the types for which this computation was compiled",
        "A compiled executable (jax.jit(f).lower(...).compile()) runs only on the shapes and "
        "dtypes it was lowered for, and it was called with others.",
        "Lower and compile again for the new shape (jax.jit(f).lower(batch).compile(), one "
        "executable per shape), pad the input to the compiled shape and drop the padded rows "
        "after, or call jax.jit(f) itself, which compiles a version for each new shape.",
        "aot",
    ),
    (
        r"Custom JVP rule must produce primal and tangent outputs with corresponding shapes"
        r".*Expected \w+\[\] \(tangent type of \w+\[\]\) but got \w+\[\d",
        "A custom_jvp rule's tangent output must have the primal output's shape: here the "
        "output is one number, and the tangent returned is a whole array, the gradient times "
        "the input tangent, not yet summed.",
        "Contract the tangent to the output's shape: the JVP of a function to a scalar is a dot "
        "product, jnp.sum(grad * t) (or jnp.vdot(grad, t)).",
        "custom-jvp",
    ),
    (
        r"Custom JVP rule must produce primal and tangent outputs with corresponding shapes",
        "A custom_jvp rule's tangent output must have the primal output's shape and dtype; "
        "this one does not (a reduction such as jnp.sum shrinks it).",
        "Compute the tangent elementwise, of the same shape as the primal output, e.g. "
        "jax.nn.sigmoid(x) * t; reduce only outside the rule.",
        "custom-jvp",
    ),
    (
        r"vmap in_axes must be an int, None, or a tuple",
        "vmap's in_axes is positional: an int, None, or a tuple with one entry per positional "
        "argument. A dict is only the prefix of one dict argument.",
        "Give a tuple in argument order, in_axes=(0, None); for a single dict argument wrap "
        "its dict of axes in a tuple: in_axes=({'x': 0, 'w': None},).",
        "in-axes",
    ),
    (
        r"PRNGKey accepts a scalar seed, but was given an array of shape \(2,\)",
        "jax.random.PRNGKey makes a key from an integer seed, and it was given an array of two "
        "uint32 words: most often a key already (a legacy PRNGKey is exactly that).",
        "The argument is already a key: use it directly (key = rng) or split it, "
        "k1, k2 = jax.random.split(rng); PRNGKey(seed) is only for the integer seed.",
        "random-key",
    ),
    (
        r"Checkpoint for step \d+ already exists",
        "A checkpoint manager keeps one checkpoint per step, and this step was saved before; "
        "force=True does not overwrite it.",
        "Save under a new step (step + 1, or the number of the step just taken), or "
        "manager.delete(step) first; manager.all_steps() lists what is kept.",
        "checkpointing",
    ),
    (
        r"key accepts a scalar seed, but was given an array",
        "jax.random.key makes one key from one integer seed, and it was given an array of seeds.",
        "Make one key per seed with jax.vmap(jax.random.key)(seeds), or split a single key: "
        "jax.random.split(jax.random.key(0), n).",
        "random-key",
    ),
    (
        r"convolve\(\) only support 1-dimensional",
        "jnp.convolve is NumPy's 1-D convolution; it was given arrays of more dimensions.",
        "For images use jax.scipy.signal.convolve2d(image, kernel, mode='same') (or the N-D "
        "jax.scipy.signal.convolve); lax.conv_general_dilated handles batches and channels.",
        "convolution",
    ),
    (
        r"Jitted function has invalid argnames",
        "static_argnames names a parameter the function does not have (a typo, or the name "
        "of the caller's variable instead of the parameter's).",
        "Use the parameter's own name from the def line: static_argnames='kind' for "
        "def f(x, kind), or static_argnums with its position.",
        "static-args",
    ),
    (
        r"Cannot `vmap` ordered IO callback",
        "An ordered io_callback promises one call after another, which a batch run by vmap "
        "cannot keep.",
        "Use ordered=False under vmap (the calls may come in any order), or make the callback "
        "outside the vmapped function.",
        "io-callback",
    ),
    (
        r"expected same constant\)|Shape mismatch for args\[\d+\]\.shape",
        "An Exported function is fixed to the shapes it was exported with, and it was called "
        "with another shape.",
        "Export with a symbolic dimension: n, = jax.export.symbolic_shape('n'), then export "
        "on jax.ShapeDtypeStruct((n,), x.dtype); or export once per shape.",
        "export",
    ),
    (
        r"Some parameters have no corresponding transformation",
        "optax.multi_transform needs a transformation for every label the labels tree uses, "
        "and one label has none.",
        "Add it to the dict of transforms, e.g. {'train': optax.adam(1e-3), 'frozen': "
        "optax.set_to_zero()} (set_to_zero freezes those parameters).",
        "per-param-transforms",
    ),
    (
        r"Can't call compact methods on unbound modules",
        "A Linen module holds no parameters itself, so it cannot be called directly: it runs "
        "only inside init or apply, which bind its variables.",
        "Create the variables with variables = model.init(key, x), then call "
        "model.apply(variables, x).",
        "flax-linen",
    ),
    (
        r"first argument passed to an apply function should be a dictionary of collections",
        "Linen's apply takes the whole variables dict, collections first ({'params': ...}), "
        "and was given the params alone.",
        "Wrap them: model.apply({'params': params}, x), or pass the dict init returned unchanged.",
        "flax-linen",
    ),
    (
        r"must be defined in `setup\(\)` or in a method wrapped in `@compact`",
        "A Linen submodule was created inline in a method that is not marked compact.",
        "Decorate the method with @nn.compact to define submodules inline, or create them in "
        "setup().",
        "flax-linen",
    ),
    (
        r"Only interpret mode is supported on CPU",
        "Pallas kernels compile for GPUs and TPUs; on a CPU they can only be interpreted.",
        "Pass interpret=True to pl.pallas_call to run the kernel on CPU (leave it out on a "
        "GPU or TPU).",
        "pallas",
    ),
    (
        r"Field '(\w+)' was not initialized",
        "An Equinox module must set every field it declares in __init__, and one was left unset.",
        "Assign it in __init__ (self.bias = jnp.zeros(n)), or give the field a default.",
        "equinox",
    ),
    (
        r"update requires both \(model, grads\)",
        "flax.nnx.Optimizer.update takes the model as well as the gradients.",
        "Call optimizer.update(model, grads).",
        "train-state",
    ),
    (
        r"^(and|or|xor|not|invert) does not accept dtype float",
        "&, | and ~ are bitwise operators: they take booleans or integers, and one operand is "
        "a float array.",
        "Make it boolean first, weights > 0 (or weights.astype(bool)), then combine: "
        "jnp.logical_and(mask, weights > 0).",
        "masking-where",
    ),
)
