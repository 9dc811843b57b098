"""Snippets that ask a tracer for a concrete value: bool, int, float, NumPy, sizes."""

import math

import jax
import jax.numpy as jnp
import numpy as np

from . import case

V3 = (jnp.array([1.0, -2.0, 3.0]),)
S = (2.0,)
TABLE = np.array([10.0, 20.0, 30.0])


@case("TracerBoolConversionError", "if x > 0:", ("jnp.where", "lax.cond"), "python-control-flow", S)
def relu_with_if(x):
    if x > 0:
        return x
    return 0.0 * x


@case("TracerBoolConversionError", "while x < 10", "lax.while_loop", "while-loop", S)
def double_until_big(x):
    while x < 10:
        x = x * 2
    return x


@case("TracerBoolConversionError", "and", "jnp.logical_and", "python-control-flow", (1.0, 2.0))
def both_positive(x, y):
    return (x > 0) and (y > 0)


@case("TracerBoolConversionError", " or ", "jnp.logical_or", "python-control-flow", (1.0, 2.0))
def either_positive(x, y):
    ok = x > 0 or y > 0
    return ok


@case("TracerBoolConversionError", "min(", "jnp.minimum", "python-control-flow", (1.0, 2.0))
def smaller(x, y):
    return min(x, y) * 2


@case("TracerBoolConversionError", "max(", "jnp.maximum", "python-control-flow", S)
def clip_below(x):
    return max(x, 0.0)


@case("TracerBoolConversionError", "if x > 0", "jnp.where", "select-where", V3)
def batched_sign(xs):
    def sign(x):
        if x > 0:
            return 1.0
        return -1.0

    return jax.vmap(sign)(xs)


@case("TracerBoolConversionError", "assert", "checkify", "checkify", S)
def checked_log(x):
    assert x > 0, "x must be positive"
    return jnp.log(x)


@case(
    "TracerBoolConversionError", "if jnp.any", ("jnp.where", "lax.cond"), "python-control-flow", V3
)
def zero_if_any_negative(x):
    if jnp.any(x < 0):
        return jnp.zeros_like(x)
    return x


@case("TracerBoolConversionError", "else", "jnp.where", "python-control-flow", S)
def abs_by_ternary(x):
    y = x if x >= 0 else -x
    return y


@case("ValueError", "if x > 0", ("jnp.where", "jnp.any|jnp.all"), "python-control-flow", V3)
def vector_if(x):
    if x > 0:
        return x
    return -x


@case(
    "TracerIntegerConversionError",
    "range(n)",
    ("static_argnums", "fori_loop"),
    "static-args",
    (jnp.ones(3), 3),
)
def repeat_add(x, n):
    for _ in range(n):
        x = x + 1
    return x


@case("TracerIntegerConversionError", "weights[i]", "jnp.asarray(weights)[i]", "indexing", (1,))
def pick_weight(i):
    weights = [0.5, 1.5, 2.5]
    return weights[i] * 2


@case("TracerArrayConversionError", "TABLE[i]", "jnp.asarray(TABLE)[i]", "indexing", (1,))
def lookup_numpy(i):
    return TABLE[i] + 1


@case("TypeError", "[0.0] * n", "static_argnums", "static-args", (3,))
def zeros_list(n):
    return jnp.array([0.0] * n)


@case("TypeError", "jnp.zeros(n)", ("static_argnums", "x.shape"), "static-args", (jnp.ones(3), 4))
def pad_to(x, n):
    out = jnp.zeros(n)
    return out.at[: x.shape[0]].set(x)


@case("TypeError", "reshape(rows", ("static_argnums", "x.shape"), "static-args", (jnp.ones(6), 2))
def as_rows(x, rows):
    return x.reshape(rows, -1)


@case(
    "TypeError",
    "jnp.prod(jnp.array(x.shape))",
    "np.prod(x.shape)|math.prod(x.shape)",
    "static-args",
    (jnp.ones((2, 3)),),
)
def flatten_by_size(x):
    size = jnp.prod(jnp.array(x.shape))
    return jnp.ones(size)


@case("ConcretizationTypeError", "jnp.arange(n)", "static_argnums", "static-args", (4,))
def ramp(n):
    return jnp.arange(n) * 0.5


@case("ConcretizationTypeError", "jnp.linspace(0.0, 1.0, n)", "static_argnums", "static-args", (5,))
def grid(n):
    return jnp.linspace(0.0, 1.0, n)


@case(
    "ConcretizationTypeError", "float(x)", ("float(", "astype|jnp.float32"), "static-vs-traced", S
)
def plus_one_float(x):
    return float(x) + 1.0


@case("ConcretizationTypeError", "x.item()", ("item()", "array"), "static-vs-traced", S)
def as_python_number(x):
    return x.item() * 2


@case("ConcretizationTypeError", "math.sqrt(x)", "jnp.sqrt", "jax-numpy", S)
def root_with_math(x):
    return math.sqrt(x) + 1


@case("TracerArrayConversionError", "np.sin(x)", "jnp.sin", "jax-numpy", V3)
def numpy_sine(x):
    return np.sin(x) * 2


@case("TracerArrayConversionError", "np.asarray(x)", "jnp.asarray", "jax-numpy", V3)
def to_host(x):
    y = np.asarray(x)
    return y + 1


@case("TracerArrayConversionError", "np.array(x)", "jnp.array", "jax-numpy", S, via="call")
def grad_through_numpy(x):
    def f(x):
        return jnp.sum(np.array(x) ** 2)

    return jax.grad(f)(x)


@case("ConcretizationTypeError", "x.tolist()", ("tolist", "array"), "static-vs-traced", V3)
def as_list(x):
    values = x.tolist()
    return jnp.array(values)


@case("TypeError", "jnp.tile(x, reps)", "static_argnums", "static-args", (jnp.ones(2), 3))
def tiled(x, reps):
    return jnp.tile(x, reps)


@case(
    "ConcretizationTypeError",
    "x.sum(axis=axis)",
    "static_argnums",
    "static-args",
    (jnp.ones((2, 2)), 1),
)
def sum_along(x, axis):
    return x.sum(axis=axis)


@case("TypeError", "np.zeros(n)", ("static_argnums", "jnp"), "static-args", (3,))
def numpy_zeros(n):
    return jnp.asarray(np.zeros(n)) + 1


@case("TypeError", 'f"{x:.3f}"', "jax.debug.print", "debug-print", S)
def formatted(x):
    label = f"{x:.3f}"
    return x, label
