"""Tests of _explain.explain: plain-words explanations, fixes, concept ids and learner lines."""

import os

import jax
import jax.numpy as jnp
import jax.scipy.optimize
import pytest

from jaxscope._errors import error_panel
from jaxscope._explain import _jax_advice, clean_message, coach_hint, explain, short_path

HERE = os.path.basename(__file__)
KEYS = {"name", "explanation", "fix", "concept", "where", "general"}


def caught(fn, *args):
    try:
        jax.make_jaxpr(fn)(*args)
    except Exception as exc:  # noqa: BLE001
        return exc
    raise AssertionError("expected an error")


def branch(x):
    if x > 0:
        return x
    return -x


def mask(x):
    return x[x > 0]


def count(n):
    return [0 for _ in range(n)]


def as_float(x):
    return float(x) + 1


def to_numpy(x):
    import numpy as np

    return np.sin(x)


def shapes(x):
    return x + jnp.ones(4)


def value_error(x):
    raise ValueError("the learner said no")


@pytest.mark.parametrize(
    ("fn", "arg", "cls", "offset", "concept", "fix_words"),
    [
        (branch, 1.0, jax.errors.TracerBoolConversionError, 1, "python-control-flow", "lax.cond"),
        (mask, jnp.ones(3), jax.errors.NonConcreteBooleanIndexError, 1, "masking-where", "where"),
        (count, 3, jax.errors.TracerIntegerConversionError, 1, "static-args", "fori_loop"),
        (as_float, 1.0, jax.errors.ConcretizationTypeError, 1, "static-vs-traced", "astype"),
        (to_numpy, 1.0, jax.errors.TracerArrayConversionError, 3, "jax-numpy", "jnp.sin"),
    ],
)
def test_each_tracer_error(fn, arg, cls, offset, concept, fix_words):
    exc = caught(fn, arg)
    assert type(exc) is cls
    info = explain(exc, fn)
    assert set(info) == KEYS
    assert info["concept"] == concept
    assert fix_words in info["fix"]
    assert info["explanation"]
    assert info["where"] == f"{HERE}:{fn.__code__.co_firstlineno + offset}"
    # without the function, the learner frame is still found
    assert explain(exc)["where"] == info["where"]


def test_bool_error_uses_the_argument_name():
    info = explain(caught(branch, 1.0), branch)
    assert info["explanation"].startswith("x is a tracer: under jit only its shape and dtype")
    assert "static_argnums" in info["fix"] and "jnp.where" in info["fix"]


def test_bool_error_under_vmap_points_at_select():
    exc = caught(jax.vmap(branch), jnp.ones(3))
    assert explain(exc, jax.vmap(branch))["concept"] == "select-where"


def test_unexpected_tracer_error():
    leaked = []

    def store(x):
        leaked.append(x)
        return x

    jax.make_jaxpr(store)(1.0)

    def use(x):
        return x + leaked[0]

    with pytest.raises(jax.errors.UnexpectedTracerError) as info:
        jax.jit(use)(1.0)
    result = explain(info.value, use)
    assert result["concept"] == "leaked-tracers"
    assert "Return the value" in result["fix"]
    # jit finds the leak when it lowers, so the learner frame is the call of the jitted function
    assert result["where"] == f"{HERE}:{use.__code__.co_firstlineno + 4}"


def test_generic_value_error_and_shape_mismatch():
    exc = caught(value_error, 1.0)
    info = explain(exc, value_error)
    assert info["explanation"] == "the learner said no"
    assert info["fix"] == "" and info["concept"] == ""
    assert info["where"] == f"{HERE}:{value_error.__code__.co_firstlineno + 1}"
    info = explain(caught(shapes, jnp.ones(3)), shapes)
    assert info["explanation"].startswith("The shapes do not fit together")
    assert info["where"].startswith(f"{HERE}:")


def test_never_raises_on_weird_exceptions():
    class BadStr(Exception):
        def __str__(self):
            raise RuntimeError("no str for you")

    class WeirdFn:
        def __getattr__(self, name):
            raise RuntimeError(name)

    for exc in (BadStr(), ValueError(), KeyboardInterrupt(), Exception(object())):
        for fn in (None, WeirdFn(), 42, print):
            info = explain(exc, fn)
            assert set(info) == KEYS and isinstance(info.pop("general"), bool)
            assert all(isinstance(v, str) for v in info.values())
    assert explain(BadStr())["explanation"] == "BadStr was raised."
    try:
        raise BadStr()
    except BadStr as exc:
        assert explain(exc)["where"] == f"{HERE}:{exc.__traceback__.tb_lineno}"


def test_paths_are_shortened_and_messages_cleaned():
    assert short_path("/tmp/ipykernel_1234/5678.py") == "<cell>"
    assert short_path("/home/me/work/model.py") == "model.py"
    assert short_path("<stdin>") == "<stdin>"
    msg = clean_message(
        "bad at /tmp/ipykernel_12/34.py:3 and /x/y/z.py:9 (<Foo 140234567890123>)\n"
        "See https://docs.jax.dev/en/latest/errors.html"
    )
    assert msg == "bad at <cell>:3 and z.py:9 (<Foo>)"


def test_error_panel_uses_the_explanation():
    panel = error_panel("trace failed", caught(branch, 1.0), branch)
    text = panel.text()
    assert "TracerBoolConversionError" in text
    assert "Cheat sheet: python-control-flow" in text
    assert f"at {HERE}:{branch.__code__.co_firstlineno + 1}" in text


def test_every_concept_id_exists_in_the_cheatsheet():
    import pathlib
    import re

    import jaxscope._causes as rules
    import jaxscope._causes_calls as calls

    root = pathlib.Path(__file__).resolve().parents[1] / "cheatsheet"
    ids = set()
    for path in root.glob("*.yml"):
        ids |= set(re.findall(r"^\s*- id: ([\w-]+)", path.read_text(encoding="utf-8"), re.M))
    for mod in (rules, calls):
        text = pathlib.Path(mod.__file__).read_text()
        used = set(re.findall(r'"([a-z]+(?:-[a-z]+)+)",\n', text))
        assert len(used) >= 5, f"too few concept ids found in {mod.__name__}"
        assert used <= ids, used - ids


def test_leak_found_by_the_leak_checker_is_named_and_its_store_located():
    saved = []

    def keep(x):
        saved.append(x)
        return x

    with pytest.raises(Exception, match="Leaked trace") as info, jax.checking_leaks():
        jax.make_jaxpr(keep)(1.0)
    result = explain(info.value, keep)
    assert result["name"] == "UnexpectedTracerError"
    assert result["concept"] == "leaked-tracers"
    assert f"stored at {HERE}:{keep.__code__.co_firstlineno + 1}" in result["explanation"]
    panel = error_panel("js.jaxpr", info.value, keep)
    assert panel.data["error_type"] == "UnexpectedTracerError"


def test_fix_fits_the_cause():
    def smaller(x, y):
        return min(x, y)

    def both(x, y):
        return (x > 0) and (y > 0)

    def lookup(i):
        table = [1.0, 2.0]
        return table[i]

    def update(x):
        x[0] += 2.0
        return x

    assert "jnp.minimum" in explain(caught(smaller, 1.0, 2.0), smaller)["fix"]
    assert "jnp.logical_and" in explain(caught(both, 1.0, 2.0), both)["fix"]
    assert "jnp.asarray(table)[i]" in explain(caught(lookup, 1), lookup)["fix"]
    assert "x = x.at[0].add(2.0)" in explain(caught(update, jnp.ones(2)), update)["fix"]


def test_exercise_checks_hint_with_the_coach():
    from jaxscope.exercises._support import CheckFailure, attempt

    @jax.jit
    def answer(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(CheckFailure) as info:
        attempt(answer, 1.0, label="answer(1.0)")
    assert "jnp.where" in info.value.hint and "cheat sheet: python-control-flow" in info.value.hint
    with pytest.raises(CheckFailure) as info:  # the exercise's own hint comes first
        attempt(answer, 1.0, label="answer(1.0)", hint_for=lambda exc: "mine")
    assert info.value.hint == "mine"
    with pytest.raises(CheckFailure) as info:  # no JAX-specific fix: no coach hint
        attempt(value_error, 1.0, label="value_error(1.0)")
    assert info.value.hint == ""


# --- errors with a fix of their own (each raised by JAX itself) --------------------------------
X3 = jnp.arange(3.0)


def _cond_pair(x):
    return jax.lax.cond(x.sum() > 0, lambda v: (v, v), lambda v: v, x)


def _complex_grad(x):
    return jax.grad(lambda v: v.sum() * 1j)(x)


def _unbound_axis(x):
    return jax.lax.psum(x, "rows")


def _none_out_axes(x):
    return jax.vmap(lambda v: v * 2, out_axes=None)(x)


def _renamed_key(x):
    return jax.tree.map(lambda a, b: a + b, {"w": x, "b": x}, {"w": x, "bias": x})


def _mixed_keys(x):
    return jnp.stack([jax.random.key(0), jax.random.PRNGKey(1)])


def _scan_nothing(x):
    return jax.lax.scan(lambda c, _: (c + 1.0, c), x.sum(), None)


def _unflatten_short(x):
    return jax.tree.unflatten(jax.tree.structure({"w": x, "b": x}), [x])


def _static_past_end(x):
    return jax.jit(lambda v: v * 2, static_argnums=1)(x)


def _vmap_nothing(x):
    return jax.vmap(lambda v: v * 2, in_axes=None)(x)


def _put_on_a_name(x):
    return jax.device_put(x, "cpu")


def _while_on_a_float(x):
    return jax.lax.while_loop(lambda c: c[0], lambda c: (c[0] - 1.0, c[1]), (3.0, x))


def _select_a_scalar(x):
    return jax.lax.select(x < 1, 1.0, x)


def _choose_too_many(x):
    return jax.random.choice(jax.random.key(0), x, (5,), replace=False)


def _key_times_two(x):
    return jax.random.normal(jax.random.key(1) * 2, x.shape)


def _float_index(x):
    return x[len(x) / 3]


def _uneven_split(x):
    return jnp.split(x, 2)[0]


def _at_times(x):
    return x.at[1] * 3.0


def _print_missing_name(x):
    jax.debug.print("total={total}", x.sum())
    return x


def _fori_body_of_one(x):
    return jax.lax.fori_loop(0, 3, lambda carry: carry * 2, x)


def _scan_body_of_one(x):
    return jax.lax.scan(lambda carry: (carry, carry), x, x)


def _jacrev_of_ints(x):
    return jax.jacrev(lambda v: v**2)(jnp.arange(3))


def _vmap_a_keyword(x):
    return jax.vmap(lambda v, scale: v * scale)(x, scale=2.0)


def _mask_assignment(x):
    x[x > 1] = 1.0
    return x


def _axis_past_the_end(x):
    return jnp.cumsum(x, axis=2)


def _wait_inside_jit(x):
    return (x * 2).block_until_ready()


def _scalar_tangent(x):
    return jax.jvp(jnp.sin, (x,), (1.0,))


def _grad_of_a_count(x):
    return jax.grad(lambda v: jnp.argmax(v))(x)


def _jit_of_a_value(x):
    def f(v):
        return v * 2

    return jax.jit(f(x))(x)


def _float_bound(x):
    return jax.lax.fori_loop(0, 3.0, lambda i, c: c + i, x)


def _one_out_axis_for_two(x):
    return jax.vmap(lambda v: (v, v * 2), out_axes=(0,))(x)


def _eval_shape_curried(x):
    def f(v):
        return v.sum()

    return jax.eval_shape(f)(x)


def _dataclass_field_left_out(x):
    import dataclasses

    @dataclasses.dataclass
    class Pair:
        a: jax.Array
        c: jax.Array

    jax.tree_util.register_dataclass(Pair, data_fields=["a"], meta_fields=[])
    return x


def _assign_to_frozen(x):
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class Box:
        w: jax.Array

    box = Box(x)
    box.w = x * 2
    return box.w


def _push_a_cotangent(x):
    y, push = jax.linearize(jnp.sin, x)
    return push(1.0)


def _sqrt_of_a_size(x):
    return jnp.zeros((int(jnp.log2(x.size)),))


def _categorical_without_batch(x):
    logits = jnp.stack([x, x])
    return jax.random.categorical(jax.random.key(0), logits, shape=(5,))


def _float_repeat(x):
    return jnp.tile(x, (2, x.shape[0] / 2))


def _torch_detach(x):
    return (x * 2).detach()


def _len_as_method(x):
    return x / x.size(0)


def _builtin_all(x):
    return jnp.where(all(x > 0), x, 0.0)


def _grads_as_one(x):
    grads = jax.grad(lambda a, b: jnp.sum(a * b), argnums=(0, 1))(x, x)
    return x * grads


def _aux_unpacked_flat(x):
    loss, aux, g = jax.value_and_grad(lambda v: (v.sum(), v), has_aux=True)(x)
    return g


def _two_trees_from_one_map(x):
    lo, hi = jax.tree.map(lambda v: (v.min(), v.max()), {"a": x, "b": x, "c": x})
    return lo


def _stack_two_args(x):
    return jnp.stack(x, x)


def _ones_two_sizes(x):
    return jnp.ones(2, 3) + x.sum()


def _switch_on_a_dict(x):
    return jax.lax.switch(1, {0: jnp.sin, 1: jnp.cos}, x)


def _scan_a_list(x):
    return jax.lax.scan(lambda c, r: (c * r, c), x.sum(), [0.5, 0.25])


def _bwd_one_short(x):
    @jax.custom_vjp
    def mul(a, b):
        return a * b

    mul.defvjp(lambda a, b: (a * b, (a, b)), lambda res, g: (g * res[1],))
    return jax.grad(lambda v: mul(v, 2.0).sum())(x)


def _jvp_rule_reduced(x):
    @jax.custom_jvp
    def cube(v):
        return v**3

    cube.defjvp(lambda p, t: (cube(p[0]), jnp.sum(3 * p[0] ** 2 * t[0])))
    return jax.grad(lambda v: cube(v).sum())(x)


def _in_axes_as_dict(x):
    return jax.vmap(lambda a, b: a * b, in_axes={"a": 0, "b": None})(x, 2.0)


def _one_key_per_seed(x):
    return jax.random.key(jnp.arange(3))


def _mask_and_float(x):
    return (x > 1) | x


def _stop_gradient_of_fn(x):
    return jax.lax.stop_gradient(jnp.exp)(x)


def _weights_mapped_too(x):
    w, xs, ys = jnp.ones(3), jnp.ones((5, 3)), jnp.ones(5)
    return jax.vmap(lambda w, x, y: jnp.dot(w, x) - y)(w, xs, ys)


def _row_on_the_first_axis(x):
    return jax.lax.broadcast_in_dim(x, (2, 3), (0,))


def _donate_a_setting(x):
    return jax.jit(lambda a, b, s: a * s + b, static_argnums=2, donate_argnums=(0, 1, 2))(x, x, 2)


def _spec_of_a_bare_size(x):
    return jax.jit(jnp.sin).lower(jax.ShapeDtypeStruct(8, jnp.float32))


def _remat_with_options(x):
    @jax.checkpoint(prevent_cse=False)
    def inner(v):
        return jnp.sin(v)

    return inner(x)


def _one_axis_twice(x):
    mesh = jax.make_mesh((1,), ("rows",))
    return jax.sharding.NamedSharding(mesh, jax.P("rows", "rows")).shard_shape((3, 3))


def _traced_power(x):
    return jnp.linalg.matrix_power(jnp.eye(2) * x[0], x.astype(jnp.int32)[0])


def _traced_k(x):
    k = x.astype(jnp.int32)[0]
    return jax.lax.top_k(x, k)


def _lax_log_of_counts(x):
    return jax.lax.log(jnp.arange(3))


def _list_entry_by_name(x):
    return jax.tree_util.tree_map_with_path(lambda p, v: v if p[0].name else v, [x])


def _torch_dim(x):
    return jnp.cumsum(x, dim=0)


def _method_keepdim(x):
    return x.max(keepdim=True)


def _too_many_for_where(x):
    return jnp.where(x > 0, x, 0.0, 1.0)


def _mode_misspelled(x):
    return jnp.pad(x, 2, mode="symetric")


def _side_misspelled(x):
    return jnp.searchsorted(x, 0.5, side="rigth")


def _clamp_like_torch(x):
    return jnp.clamp(x, 0.0, 1.0)


def _values_and_indices(x):
    v, i = jnp.min(x[None], axis=1)
    return v + i


def _dot_general_one_pair(x):
    return jax.lax.dot_general(x, x, ((0,), (0,)))


def _conv_stride_as_int(x):
    return jax.lax.conv_general_dilated(x[None, None], x[None, None], 1, "SAME")


def _pool_one_axis_of_two(x):
    return jax.lax.reduce_window(x.reshape(1, 3), 0.0, jax.lax.add, (2,), (1,), "VALID")


def _lax_sort_reversed(x):
    return jax.lax.sort(x, reverse=True)


def _select_of_three_by_bool(x):
    return jax.lax.select_n(x > 0, x, -x, 2 * x)


def _vjp_rules_never_given(x):
    f = jax.custom_vjp(jnp.sin)
    return jax.grad(lambda v: f(v).sum())(x)


def _jvp_one_tangent_for_two(x):
    return jax.jvp(lambda a, b: a * b, (x, x), (x,))


def _a_fourth_device(x):
    return jax.device_put(x, jax.devices()[3])


def _training_flag_traced(x):
    def step(v, training):
        if training:
            return v * 0.5
        return v

    return jax.make_jaxpr(step)(x, True)


def _in_axes_dict_short_a_key(x):
    return jax.vmap(lambda p: p["w"] + p["b"], in_axes=({"w": 0},))({"w": x, "b": x})


def _std_unbiased(x):
    return jnp.std(x, unbiased=True)


def _bias_per_row(x):
    return jnp.ones((3, 2)) + x


def _features_on_the_wrong_axis(x):
    w, h = jnp.ones((2, 3)), x[None]
    return h @ w


def _params_times_a_rate(x):
    params = {"w": x, "b": x[0]}
    return params * 0.5


def _vector_indexed_twice(x):
    return x[1, 2]


def _inverse_of_a_vector(x):
    return jnp.linalg.inv(x)


def _words_in_an_array(x):
    return jnp.array(["cat", "dog"])


def _pair_carry_from_one_array(x):
    def cell(carry, v):
        return (carry + v, carry), carry

    return jax.lax.scan(cell, jnp.zeros(()), x)


def _scalar_carry_unpacked(x):
    def cell(carry, v):
        h, c = carry
        return (h + v, c), h

    return jax.lax.scan(cell, jnp.zeros(()), x)


def _feature_map_not_flattened(x):
    fmap = jnp.ones((2, 4, 4, 3))
    return fmap @ jnp.ones((48, 5))


def _step_given_the_optimizer(x):
    def step(w, optimizer):
        return w - optimizer["update"](w)

    return jax.jit(step)(x, {"update": jnp.sin})


def _one_key_from_a_split(x):
    keys = jax.random.split(jax.random.key(0))
    return jax.random.uniform(keys, (3,))


def _mask_for_a_leaf_given_the_tree(x):
    params = {"w": x, "b": x}
    return (lambda p: p.ndim > 1)(params)


def _grads_mapped_over_params_too(x):
    def loss(w, xi):
        return jnp.sum(w * xi)

    weights, batch = jnp.ones(2), jnp.ones((5, 2))
    return jax.vmap(jax.grad(loss))(weights, batch)


def _old_tree_multimap(x):
    return jax.tree_multimap(jnp.add, x, x)


def _at_on_a_numpy_array(x):
    import numpy as np

    return np.zeros(3).at[0].set(x[0])


def _rate_by_traced_step(x):
    rates = {0: 1.0, 1: 0.5}
    return rates[x.astype(int)[0]]


def _key_carry_split_kept(x):
    def step(k, _):
        return jax.random.split(k), None

    return jax.lax.scan(step, jax.random.key(0), None, length=2)


def _pairs_mapped_to_their_leaves(x):
    def width(pair):
        lo, hi = pair
        return hi - lo

    return jax.tree.map(width, {"a": (x[0], x[1])})


def _third_axis_of_a_vector(x):
    return jnp.zeros(x.shape[2])


def _torch_name_for_a_weight(x):
    params = {"linear": {"w": x, "b": x}}
    return params["linear"]["weight"] * 2


class _Dense:
    def __init__(self, x):
        self.kernel = x


def _attribute_of_another_name(x):
    layer = _Dense(x)
    return layer.weight @ x


def _numpy_never_imported(x):
    return jnpx.sum(x)  # noqa: F821 - the mistake this case shows


def _rows_of_two_lengths(x):
    return jnp.array([[1.0, 2.0], [3.0]])


def _helper_without_return(x):
    def scale(v):
        v * 2

    return scale(x)[0]


def _tuple_used_as_the_array(x):
    out = jax.value_and_grad(lambda v: (v**2).sum())(x)
    return out.mean()


def _schedule_scaled_like_a_number(x):
    def schedule(step):
        return 0.1 * 0.9**step

    return -schedule * x


def _leaf_sizes_of_a_model(x):
    model = {"w": x, "act": jnp.tanh}
    return sum(leaf.size for leaf in jax.tree.leaves(model))


def _take_that_raises(x):
    return jnp.take(x, jnp.array([0, 5]), mode="raise")


def _walkers_on_one_key(x):
    key = jax.random.key(0)
    return jax.vmap(lambda k: jax.random.normal(k, (2,)))(key)


def _loop_while_any_error(x):
    return jax.lax.while_loop(lambda v: v > 0.1, lambda v: v / 2, x)


def _norm_tangent_not_summed(x):
    @jax.custom_jvp
    def sq_norm(v):
        return jnp.sum(v**2)

    sq_norm.defjvp(lambda p, t: (sq_norm(p[0]), 2 * p[0] * t[0]))
    return jax.grad(sq_norm)(x)


def _host_value_from_debug_callback(x):
    offset = jax.debug.callback(lambda: None)
    return x + offset


def _index_or_value_branches(x):
    return jax.lax.cond(x[0] > 0, lambda: jnp.int32(0), lambda: x.max())


def _tolerance_carry_becomes_a_vector(x):
    def body(state):
        v, _ = state
        new = v / 2
        return new, jnp.abs(new - v)

    return jax.lax.while_loop(lambda s: s[1] > 1e-3, body, (x, jnp.inf))[0]


def _scan_inputs_and_next_targets(x):
    seq = jnp.arange(5.0)
    return jax.lax.scan(lambda c, ab: (c + ab[0] * ab[1], None), 0.0, (seq, seq[1:]))


def _fori_body_returns_the_loss_too(x):
    def body(i, w):
        loss = jnp.sum(w**2)
        return w - 0.1 * 2 * w, loss

    return jax.lax.fori_loop(0, 3, body, x)


def _fori_body_without_return(x):
    def body(i, w):
        w = w * 2

    return jax.lax.fori_loop(0, 3, body, x)


def _contract_the_wrong_axis(x):
    a, b = jnp.ones((2, 3, 4)), jnp.ones((2, 5, 4))
    return jax.lax.dot_general(a, b, (((2,), (1,)), ((0,), (0,))))


def _switch_on_a_cropping_branch(x):
    img = jnp.ones((6, 6))
    return jax.lax.switch(1, [lambda m: m, lambda m: m[1:-1, 1:-1]], img)


def _rank_by_a_float_index(x):
    k = jnp.floor(x.sum())
    return jnp.take_along_axis(jnp.sort(x), k[None], axis=0)


def _grad_of_params_and_counter(x):
    params, state = {"w": x}, {"count": jnp.int32(0)}
    return jax.grad(lambda p, s: jnp.sum(p["w"] ** 2), argnums=(0, 1))(params, state)


def _legacy_key_seeded_again(x):
    rng = jax.random.PRNGKey(0)
    return jax.random.normal(jax.random.PRNGKey(rng), (2,))


def _debug_print_given_an_fstring(x):
    total = x.sum()
    jax.debug.print(f"total {total}", total=total)
    return total


def _optimize_never_imported(x):
    import jax.scipy as jsp

    saved = jsp.__dict__.pop("optimize")  # as in a process where nothing imported it yet
    try:
        return jsp.optimize.minimize(lambda w: jnp.sum(w**2), x, method="BFGS").x
    finally:
        jsp.optimize = saved


def _minimize_given_bare_data(x):
    data = jnp.stack([x, x])
    fit = jax.scipy.optimize.minimize(
        lambda w, d: jnp.sum((d - w) ** 2), x, args=data, method="BFGS"
    )
    return fit.x


def _checkpoint_static_flag_by_keyword(x):
    block = jax.checkpoint(lambda h, train: h * 2 if train else h, static_argnums=(1,))
    return jax.grad(lambda v: jnp.sum(block(v, train=True)))(x)


def _first_word_of_a_typed_key(x):
    key = jax.random.key(0)
    return jax.random.normal(jax.random.PRNGKey(key[0]), (2,))


def _rate_left_as_text(x):
    settings = {"rate": "0.5"}
    return x * settings["rate"]


def _initializer_factory_passed_uncalled(x):
    from flax import nnx

    dense = nnx.Linear(3, 2, kernel_init=jax.nn.initializers.he_normal, rngs=nnx.Rngs(0))
    return dense(x)


def _checkified_result_used_as_the_array(x):
    from jax.experimental import checkify

    out = checkify.checkify(lambda v: v * 2)(x)
    return out + 1.0


def _draws_per_row_asked_without_rows(x):
    return jax.random.categorical(jax.random.key(0), jnp.zeros((4, 3)), shape=(7,))


def _check_given_an_array_of_conditions(x):
    from jax.experimental import checkify

    def f(v):
        checkify.check(v > -1, "too small")
        return v

    return checkify.checkify(f)(x)[1]


def _loop_stopped_with_break(x):
    for _ in range(10):
        x = x / 2
        if x.sum() < 0.1:
            break
    return x


def _ode_rhs_in_solve_ivp_order(x):
    from jax.experimental.ode import odeint

    def decay(t, y):
        return -y

    return odeint(decay, x, jnp.linspace(0.0, 1.0, 4))


def _eigh_of_raw_samples(x):
    data = jnp.ones((4, 3)) * x
    return jnp.linalg.eigh(data)[1]


def _policy_named_by_a_string(x):
    step = jax.checkpoint(jnp.sin, policy="nothing_saveable")
    return jax.grad(lambda v: jnp.sum(step(v)))(x)


@pytest.mark.parametrize(
    ("fn", "fix", "concept"),
    [
        (_rate_left_as_text, "float(settings['rate'])", ""),
        (
            _initializer_factory_passed_uncalled,
            "kernel_init=jax.nn.initializers.he_normal()",
            "flax-nnx",
        ),
        (_checkified_result_used_as_the_array, "err, out = checkify.checkify(", "checkify"),
        (_draws_per_row_asked_without_rows, "here (7, 4)", "samplers"),
        (_check_given_an_array_of_conditions, "jnp.all(", "checkify"),
        (_loop_stopped_with_break, "lax.while_loop(cond_fun, body_fun, init)", "while-loop"),
        (_ode_rhs_in_solve_ivp_order, "def decay(y, t, ...)", "scipy-linalg"),
        (_eigh_of_raw_samples, "data.T @ data", "scipy-linalg"),
        (
            _policy_named_by_a_string,
            "policy=jax.checkpoint_policies.nothing_saveable",
            "checkpoint",
        ),
        (_switch_on_a_cropping_branch, "jnp.pad(y, ...)", "switch"),
        (_rank_by_a_float_index, "idx.astype(jnp.int32)", "indexing"),
        (_grad_of_params_and_counter, "leave state out of argnums", "argnums"),
        (_legacy_key_seeded_again, "key = rng", "random-key"),
        (
            _debug_print_given_an_fstring,
            'jax.debug.print("total {total}", total=total)',
            "debug-print",
        ),
        (_optimize_never_imported, "import jax.scipy.optimize", "scipy-linalg"),
        (_minimize_given_bare_data, "args=(data,)", "scipy-linalg"),
        (_checkpoint_static_flag_by_keyword, "block(v, True)", "checkpoint"),
        (_first_word_of_a_typed_key, "jax.random.key_data(key)", "key-impls"),
        (_norm_tangent_not_summed, "jnp.sum(grad * t)", "custom-jvp"),
        (
            _host_value_from_debug_callback,
            "jax.pure_callback(fn, jax.ShapeDtypeStruct",
            "pure-callback",
        ),
        (_index_or_value_branches, "use argmax", "cond"),
        (_tolerance_carry_becomes_a_vector, "jnp.max(jnp.abs(x_new - x))", "while-loop"),
        (_scan_inputs_and_next_targets, "pair x[:-1] with x[1:]", "scan"),
        (_fori_body_returns_the_loss_too, "start from (params, 0.0)", "fori-loop"),
        (_fori_body_without_return, "return new_carry", "fori-loop"),
        (_contract_the_wrong_axis, "dimension_numbers=(((2,), (2,)), ((0,), (0,)))", "dot-general"),
        (_take_that_raises, "mode='clip'", "out-of-bounds"),
        (_walkers_on_one_key, "keys = jax.random.split(key, n)", "keys-vmap-jit"),
        (_loop_while_any_error, "jnp.all(err > tol)", "while-loop"),
        (_tuple_used_as_the_array, "Unpack it first", ""),
        (_schedule_scaled_like_a_number, "lr = schedule(step)", "schedules"),
        (_leaf_sizes_of_a_model, "isinstance(x, jax.Array)", "params-as-pytrees"),
        (_third_axis_of_a_vector, "check x.ndim", "broadcasting-reshaping"),
        (_torch_name_for_a_weight, "did you mean 'w'?", "params-as-pytrees"),
        (_attribute_of_another_name, "Did you mean layer.kernel?", ""),
        (_numpy_never_imported, "Did you mean jnp?", ""),
        (_rows_of_two_lengths, "Pad the rows to one length", "array-creation"),
        (_helper_without_return, "return result", ""),
        (_old_tree_multimap, "Use jax.tree.map.", "tree-map"),
        (_at_on_a_numpy_array, "jnp.asarray(buf)", "immutable-arrays"),
        (_rate_by_traced_step, "jnp.array([v0, v1, v2])[i]", "static-vs-traced"),
        (_key_carry_split_kept, "key, subkey = jax.random.split(key)", "split"),
        (_pairs_mapped_to_their_leaves, "is_leaf=lambda x: isinstance(x, tuple)", "tree-map"),
        (_pair_carry_from_one_array, "init must be a pair (tuple) too", "scan"),
        (_scalar_carry_unpacked, "(h0, c0)", "scan"),
        (_feature_map_not_flattened, "x.reshape(x.shape[0], -1)", "broadcasting-reshaping"),
        (_step_given_the_optimizer, "static_argnames=('optimizer',)", "static-args"),
        (_one_key_from_a_split, "k1, k2 = jax.random.split(key)", "split"),
        (_mask_for_a_leaf_given_the_tree, "jax.tree.map(lambda x: x.ndim > 1, tree)", "tree-map"),
        (_grads_mapped_over_params_too, "in_axes=(None, 0)", "per-example-gradients"),
        (_bias_per_row, "x[:, None] (shape (3, 1))", "broadcasting-reshaping"),
        (_features_on_the_wrong_axis, "h @ w.T", "broadcasting-reshaping"),
        (_params_times_a_rate, "jax.tree.map(lambda p: p * 0.1, params)", "tree-map"),
        (_vector_indexed_twice, "one index per axis", "indexing"),
        (_inverse_of_a_vector, "(n, n) matrix", "scipy-linalg"),
        (_words_in_an_array, "integer ids", "array-creation"),
        (_clamp_like_torch, "Use jnp.clip.", "jax-numpy"),
        (_values_and_indices, "jnp.argmin(x, axis=...)", "numpy-differences"),
        (_dot_general_one_pair, "lax.dot_general(a, b, (((0,), (0,)), ((), ())))", "dot-general"),
        (_conv_stride_as_int, "(1,) for one axis", "lax-vs-jnp"),
        (_pool_one_axis_of_two, "(1, 2) (the last axes), or (2, 1)", "reductions"),
        (_lax_sort_reversed, "jnp.flip(x_sorted, axis)", "numpy-differences"),
        (_select_of_three_by_bool, "which.astype(jnp.int32)", "select-where"),
        (_vjp_rules_never_given, "f.defvjp(fwd, bwd)", "custom-vjp"),
        (_jvp_one_tangent_for_two, "jnp.zeros_like(y)", "jvp"),
        (_a_fourth_device, "jax.devices()[0]", "devices"),
        (_training_flag_traced, "static_argnames=('training',)", "static-args"),
        (_in_axes_dict_short_a_key, "'b': None", "in-axes"),
        (_std_unbiased, "Write ddof= (not unbiased=)", "jax-numpy"),
        (_torch_dim, "Write axis= (not dim=): jnp.cumsum(a, axis=None", "jax-numpy"),
        (_method_keepdim, "Write keepdims= (not keepdim=): x.max(axis=None", "jax-numpy"),
        (_too_many_for_where, "jnp.where(condition, x=None, y=None, size=None", "jax-numpy"),
        (_mode_misspelled, "mode='symmetric' is the closest to 'symetric'", "jax-numpy"),
        (_side_misspelled, "('left', 'right'): side='right'", "jax-numpy"),
        (_row_on_the_first_axis, "broadcast_dimensions=(1,)", "broadcasting-reshaping"),
        (_donate_a_setting, "donate_argnums=(0, 1)", "donation"),
        (_spec_of_a_bare_size, "jax.ShapeDtypeStruct((8,), dtype)", "aot"),
        (_remat_with_options, "partial(jax.checkpoint, prevent_cse=False)", "checkpoint"),
        (_one_axis_twice, 'P("rows", None)', "partition-spec"),
        (_traced_power, "static_argnums", "static-args"),
        (_traced_k, "static_argnums", "static-args"),
        (_lax_log_of_counts, "astype(jnp.float32)", "lax-vs-jnp"),
        (_list_entry_by_name, ".idx", "key-paths"),
        (_while_on_a_float, "> 0", "while-loop"),
        (_select_a_scalar, "jnp.where", "select-where"),
        (_choose_too_many, "replace=True", "samplers"),
        (_key_times_two, "jax.random.fold_in", "fold-in"),
        (_float_index, "//", "indexing"),
        (_uneven_split, "jnp.array_split", "broadcasting-reshaping"),
        (_at_times, "x.at[1].multiply(3.0)", "at-arithmetic"),
        (_print_missing_name, "total=value", "debug-print"),
        (_fori_body_of_one, "body_fun(i, carry)", "fori-loop"),
        (_scan_body_of_one, "def f(carry, x)", "scan"),
        (_jacrev_of_ints, "astype(jnp.float32)", "jacobians"),
        (_vmap_a_keyword, "in_axes=(0, None)", "in-axes"),
        (_mask_assignment, "x = jnp.where(x > 1, 1.0, x)", "masking-where"),
        (_sqrt_of_a_size, "np.log2(x.size)", "static-vs-traced"),
        (_axis_past_the_end, "x.ndim", "jax-numpy"),
        (_wait_inside_jit, "outside the jitted function", "async-dispatch"),
        (_scalar_tangent, "jnp.ones_like(x)", "jvp"),
        (_grad_of_a_count, "has_aux=True", "grad"),
        (_jit_of_a_value, "jax.jit(f)(x)", "jit-basics"),
        (_float_bound, "int(n)", "fori-loop"),
        (_one_out_axis_for_two, "out_axes=(0, 0)", "out-axes"),
        (_eval_shape_curried, "jax.eval_shape(f, x)", "eval-shape"),
        (_dataclass_field_left_out, "data_fields=['a', 'c']", "dataclass-nodes"),
        (_assign_to_frozen, "dataclasses.replace(obj, w=new_value)", "dataclass-nodes"),
        (_push_a_cotangent, "jax.vjp(f, x)", "linearize"),
        (_scan_nothing, "length=n", "scan"),
        (_unflatten_short, "treedef.num_leaves", "flatten-unflatten"),
        (_static_past_end, "static_argnames", "static-args"),
        (_vmap_nothing, "axis_size=n", "in-axes"),
        (_put_on_a_name, "jax.devices('cpu')[0]", "jax-array"),
        (_cond_pair, "same structure", "cond"),
        (_complex_grad, "holomorphic=True", "grad"),
        (_unbound_axis, "axis_name='rows'", "vmap-axis-name"),
        (_none_out_axes, "out_axes=0", "out-axes"),
        (_renamed_key, "jax.tree.structure", "tree-map"),
        (_mixed_keys, "wrap_key_data", "key-impls"),
        (_float_repeat, "n // 2", "array-creation"),
        (_categorical_without_batch, "shape=(n, *logits.shape[:-1])", "samplers"),
        (_torch_detach, "jax.lax.stop_gradient(x)", "stop-gradient"),
        (_len_as_method, "x.shape[0]", "jax-numpy"),
        (_builtin_all, "jnp.all(x)", "jax-numpy"),
        (_grads_as_one, "gw, gb = grads", "argnums"),
        (_aux_unpacked_flat, "(loss, aux), grads", "has-aux"),
        (_two_trees_from_one_map, "jax.tree.transpose", "multi-tree-ops"),
        (_stack_two_args, "jnp.stack([x, x])", "broadcasting-reshaping"),
        (_ones_two_sizes, "jnp.ones((2, 3))", "array-creation"),
        (_switch_on_a_dict, "lax.switch(i, [f0, f1, f2], x)", "switch"),
        (_scan_a_list, "jnp.array(values)", "scan"),
        (_bwd_one_short, "return (g * scale, None)", "custom-vjp"),
        (_jvp_rule_reduced, "same shape as the primal output", "custom-jvp"),
        (_in_axes_as_dict, "in_axes=(0, None)", "in-axes"),
        (_one_key_per_seed, "jax.vmap(jax.random.key)(seeds)", "random-key"),
        (_mask_and_float, "jnp.logical_and", "masking-where"),
        (_stop_gradient_of_fn, "jax.lax.stop_gradient(jnp.exp(x))", "stop-gradient"),
        (_weights_mapped_too, "in_axes=(None, 0, 0)", "in-axes"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[:20] if callable(v) else None,
)
def test_fix_for_this_cause(fn, fix, concept):
    info = explain(caught(fn, X3), fn)
    assert fix in info["fix"] and info["concept"] == concept, info


def test_a_cause_no_rule_knows_gets_the_cheat_sheet_row_of_the_function_called():
    def f(x):
        return jax.lax.dynamic_update_slice(x, jnp.ones((2, 2)), (0,))

    info = explain(caught(f, X3), f)
    assert info["concept"] == "dynamic-slicing", info
    # what JAX's message says must hold comes first, then the row of the function called
    assert info["fix"].startswith(
        "Make the call meet what JAX requires: dynamic_update_slice update must have the same rank"
    )
    assert "Check how jax.lax.dynamic_update_slice is called (cheat sheet, " in info["fix"]
    assert "For example: " in info["fix"] and "slice(" in info["fix"].split("example")[1]
    assert info["general"] and coach_hint(caught(f, X3), f) == ""  # an exercise's hint says more
    assert not explain(caught(_float_index, X3), _float_index)["general"]


def test_jax_own_advice_is_quoted_where_no_rule_knows_the_cause():
    def f(x):
        return jax.random.fold_in(jax.random.key(0), x)

    info = explain(caught(f, X3), f)
    assert info["fix"].startswith("Use jax.vmap for batching. Check how jax.random.fold_in")
    assert info["concept"] == "fold-in"
    msg = "It broke. Try using `x.astype(int)` instead. See https://docs for more."
    assert _jax_advice(msg) == "Try using `x.astype(int)` instead."
    assert _jax_advice("axis 4 is out of bounds for array of dimension 1") == ""


def test_an_unhashable_static_object_is_told_to_be_frozen_or_hashable():
    from dataclasses import dataclass

    @dataclass
    class Config:
        depth: int

    def run(x):
        return jax.jit(lambda c, v: v * c.depth, static_argnums=0)(Config(2), x)

    info = explain(caught(run, X3), run)
    assert "frozen=True" in info["fix"] and "__hash__" in info["fix"], info


def test_a_jitted_function_returning_a_string_points_at_its_return():
    def outer(x):
        @jax.jit
        def f(x):
            y = x * 2
            return y, "doubled"

        return f(x)

    try:
        outer(X3)
    except TypeError as exc:
        info = explain(exc, outer)
    line = int(info["where"].rsplit(":", 1)[1])
    assert line == outer.__code__.co_firstlineno + 4, info  # the return inside f
    assert "Return only arrays" in info["fix"]


def test_a_scalar_given_to_pmap_is_told_to_be_static():
    def relax(x, steps):
        return x * steps

    with pytest.raises(ValueError) as caught_exc:
        jax.pmap(relax)(jnp.ones((jax.local_device_count(), 2)), 3)
    info = explain(caught_exc.value, relax)
    assert "static_broadcasted_argnums=(1,)" in info["fix"] and info["concept"] == "pmap", info


def test_a_layers_own_vmap_advice_becomes_the_vmapped_call():
    import equinox as eqx

    embed = eqx.nn.Embedding(10, 4, key=jax.random.key(0))
    tokens = jnp.array([1, 2, 3])
    info = explain(caught(lambda t: embed(t), tokens), embed)
    assert "jax.vmap(embed)(t)" in info["fix"], info


def test_an_equinox_layer_vmapped_once_over_two_axes_is_told_to_vmap_again():
    import equinox as eqx

    mix = eqx.nn.Linear(4, 4, key=jax.random.key(0))

    def apply(xs):
        return jax.vmap(mix)(xs)

    info = explain(caught(apply, jnp.ones((2, 4, 5))), apply)
    assert "jax.vmap(jax.vmap(mix, in_axes=1, out_axes=1))(xs)" in info["fix"], info
    assert info["concept"] == "nested-vmap", info


def test_a_compiled_executable_called_with_another_shape_is_told_to_compile_again():
    compiled = jax.jit(lambda v: v * 2).lower(jnp.ones((4, 2))).compile()
    with pytest.raises(TypeError) as caught_exc:
        compiled(jnp.ones((3, 2)))
    info = explain(caught_exc.value, compiled)
    assert info["concept"] == "aot" and ".lower(batch).compile()" in info["fix"], info


def test_a_donated_array_read_again_is_explained_on_both_dispatch_paths():
    """JAX's Python dispatch raises RuntimeError ("Array has been deleted"), its C++ fast path
    ValueError ("Buffer has been deleted or donated"): the coach says the same for both."""

    def reuse(x):
        y = jax.jit(lambda v: v * 2, donate_argnums=0)(x)
        return x + y

    names = []
    for n, warm in ((5, False), (7, True)):
        if warm:  # a successful add of the same shape first: the read takes the C++ path
            for _ in range(3):
                jnp.ones(n) + jnp.ones(n)
        try:
            reuse(jnp.ones(n))
        except (RuntimeError, ValueError) as exc:
            info = explain(exc, reuse)
            names.append(type(exc).__name__)
            assert info["concept"] == "donation", info
            assert "donate_argnums" in info["fix"] and "jnp.copy" in info["fix"], info
            assert info["where"].endswith(f":{reuse.__code__.co_firstlineno + 2}"), info
        else:
            pytest.fail("a donated array was read without error")
    assert names[1] == "ValueError", names  # the first is RuntimeError unless warmed earlier


# --- the model and optimizer libraries' own errors ------------------------------------------------


def _linen_net():
    import flax.linen as nn

    class Net(nn.Module):
        @nn.compact
        def __call__(self, v, train):
            v = nn.Dense(4)(v)
            v = nn.BatchNorm(use_running_average=not train)(v)
            return nn.Dropout(0.5, deterministic=not train)(v)

    return Net()


def _linen_apply_with_params_only(x):
    net = _linen_net()
    variables = net.init(jax.random.key(0), x, train=False)
    return net.apply({"params": variables["params"]}, x, train=False)


def _linen_updates_passed_back_whole(x):
    net = _linen_net()
    variables = net.init(jax.random.key(0), x, train=False)
    params, stats = variables["params"], variables["batch_stats"]
    rngs = {"dropout": jax.random.key(1)}
    _, stats = net.apply(
        {"params": params, "batch_stats": stats}, x, True, rngs=rngs, mutable=["batch_stats"]
    )
    return net.apply({"params": params, "batch_stats": stats}, x, train=False)


def _linen_dropout_given_a_step(x):
    net = _linen_net()
    variables = net.init(jax.random.key(0), x, train=False)
    step = 3
    return net.apply(variables, x, True, rngs={"dropout": step}, mutable=["batch_stats"])


def _nnx_model():
    from flax import nnx

    rngs = nnx.Rngs(0)
    model = nnx.Sequential(nnx.Linear(3, 4, rngs=rngs), nnx.BatchNorm(4, rngs=rngs))
    model.eval()
    return model


def _nnx_split_params_only(x):
    from flax import nnx

    graphdef, params = nnx.split(_nnx_model(), nnx.Param)
    return nnx.merge(graphdef, params)(x)


def _nnx_merge_missing_a_state(x):
    from flax import nnx

    graphdef, params, stats = nnx.split(_nnx_model(), nnx.Param, nnx.BatchStat)
    return nnx.merge(graphdef, params)(x)


def _nnx_metric_without_its_loss(x):
    from flax import nnx

    metrics = nnx.MultiMetric(loss=nnx.metrics.Average("loss"))
    metrics.update(values=x)
    return metrics.compute()


def _eqx_inference_mode_dropped(x):
    import equinox as eqx

    model = eqx.nn.Dropout(0.5)
    eqx.nn.inference_mode(model)
    return model(x)


def _eqx_model_given_to_optax_apply_updates(x):
    import equinox as eqx
    import optax

    model = eqx.nn.MLP(3, 1, 4, 1, key=jax.random.key(0))
    updates = jax.tree.map(jnp.zeros_like, eqx.filter(model, eqx.is_array))
    model = optax.apply_updates(model, updates)
    return model(x)


def _haiku_partition_predicate_of_two(x):
    import haiku as hk

    net = hk.without_apply_rng(hk.transform(lambda v: hk.Linear(2)(v)))
    params = net.init(jax.random.key(0), x)
    return hk.data_structures.partition(lambda name, value: True, params)


def _haiku_parameter_from_jax_random(x):
    import haiku as hk

    def forward(v):
        w = hk.get_parameter("w", [3, 2], init=jax.random.normal)
        return v @ w

    return hk.transform(forward).init(jax.random.key(0), x)


def _haiku_layer_made_inside_the_scan_step(x):
    import haiku as hk

    def net(xs):
        def step(h, x_t):
            h = hk.Linear(3)(x_t + h)
            return h, h

        return hk.scan(step, jnp.zeros(3), xs)[1]

    return hk.without_apply_rng(hk.transform(net)).init(jax.random.key(0), jnp.ones((2, 3)))


def _optax_join_with_one_boundary(x):
    import optax

    warm = 10
    schedule = optax.join_schedules(
        [optax.constant_schedule(0.1), optax.constant_schedule(0.2)], boundaries=warm
    )
    return schedule(x.sum())


def _optax_float_column_of_labels(x):
    import optax

    table = jnp.ones((4, 4))
    return optax.softmax_cross_entropy_with_integer_labels(table[:, :3], table[:, -1])


def _optax_labels_flattened(x):
    import optax

    logits, labels = jnp.ones((2, 5, 7)), jnp.ones((2, 5), jnp.int32)
    flat = labels.reshape(-1)
    return optax.softmax_cross_entropy_with_integer_labels(logits, flat)


@pytest.mark.parametrize(
    ("fn", "fix", "concept"),
    [
        (_linen_apply_with_params_only, '"batch_stats": batch_stats}', "stateful-layers"),
        (
            _linen_updates_passed_back_whole,
            'batch_stats = updates["batch_stats"]',
            "stateful-layers",
        ),
        (
            _linen_dropout_given_a_step,
            'rngs={"dropout": jax.random.fold_in(key, step)}',
            "stateful-layers",
        ),
        (_nnx_split_params_only, "nnx.split(_nnx_model(), nnx.Param, nnx.BatchStat)", "flax-nnx"),
        (_nnx_merge_missing_a_state, "nnx.merge(graphdef, params, stats)", "flax-nnx"),
        (_nnx_metric_without_its_loss, "metrics.update(loss=loss, ...)", "metrics-logging"),
        (_eqx_inference_mode_dropped, "model = eqx.nn.inference_mode(model)", "equinox"),
        (_eqx_model_given_to_optax_apply_updates, "eqx.apply_updates(model, updates)", "equinox"),
        (_haiku_partition_predicate_of_two, "lambda module_name, name, value", "haiku"),
        (_haiku_parameter_from_jax_random, "init=hk.initializers.RandomNormal()", "haiku"),
        (_haiku_layer_made_inside_the_scan_step, "layer = hk.Linear(...) before hk.scan", "haiku"),
        (_optax_join_with_one_boundary, "boundaries=[warm]", "schedules"),
        (_optax_float_column_of_labels, "table[:, -1].astype(jnp.int32)", "losses"),
        (_optax_labels_flattened, "logits.reshape(-1, logits.shape[-1])", "losses"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[:24] if callable(v) else None,
)
def test_fix_for_a_library_cause(fn, fix, concept):
    info = explain(caught(fn, X3), fn)
    assert fix in info["fix"] and info["concept"] == concept, info


# --- mistakes from the JAX docs' teaching pages ---------------------------------------------------


def _chained_bounds_under_vmap(x):
    return jax.vmap(lambda v: jnp.where(0.0 < v < 2.0, 1, 0))(x)


def _factorial_of_a_traced_count(x):
    import math

    n = jnp.int32(3) + x.astype(jnp.int32)[0]
    return math.log(math.factorial(n))


def _tree_of_shapes_mapped_to_arrays(x):
    sizes = {"a": (3, 2), "b": (2,)}
    params = jax.tree.map(lambda s: jnp.zeros(s), sizes)
    return x @ params["a"]


def _node_checking_its_values(x):
    class Interval:
        def __init__(self, lo, hi):
            if jnp.any(lo > hi):
                raise ValueError("empty interval")
            self.lo, self.hi = lo, hi

    jax.tree_util.register_pytree_node(
        Interval, lambda i: ((i.lo, i.hi), None), lambda _, c: Interval(*c)
    )
    return jax.jit(lambda i: i.hi - i.lo)(Interval(x, x + 1))


def _dataclass_with_a_name_field(x):
    import dataclasses

    @dataclasses.dataclass
    class Layer:
        w: jax.Array
        name: str

    jax.tree_util.register_dataclass(Layer, data_fields=["w"], meta_fields=[])
    return Layer(x, "a")


def _jacobian_from_one_linearized_call(x):
    _, push = jax.linearize(jnp.sin, x)
    return push(jnp.eye(3))


def _print_with_a_missing_value(x):
    total = x.sum()
    jax.debug.print("step {} total {}", total)  # the step was forgotten
    return total


@pytest.mark.parametrize(
    ("fn", "fix", "concept"),
    [
        (_chained_bounds_under_vmap, "(0.0 < v) & (v < 2.0)", "python-control-flow"),
        (_factorial_of_a_traced_count, "jax.scipy.special.factorial(k)", "jax-numpy"),
        (_tree_of_shapes_mapped_to_arrays, "is_leaf=lambda s: isinstance(s, tuple)", "tree-map"),
        (_node_checking_its_values, "object.__new__(cls)", "custom-nodes"),
        (_dataclass_with_a_name_field, 'meta_fields=["name"]', "dataclass-nodes"),
        (_jacobian_from_one_linearized_call, "jax.vmap(f_jvp)(tangents)", "linearize"),
        (
            _print_with_a_missing_value,
            'jax.debug.print("step {} total {}", step, total)',
            "debug-print",
        ),
    ],
    ids=lambda v: getattr(v, "__name__", "")[:24] if callable(v) else None,
)
def test_fix_for_a_docs_mistake(fn, fix, concept):
    info = explain(caught(fn, X3), fn)
    assert fix in info["fix"] and info["concept"] == concept, info


def test_a_draw_from_a_split_key_names_the_key_split_for_it():
    def noisy(h, key):
        k_mask, k_noise = jax.random.split(key)
        keep = jax.random.bernoulli(key, 0.5, h.shape)
        return jnp.where(keep, h, 0.0) + jax.random.normal(k_noise, h.shape)

    with jax.debug_key_reuse(True), pytest.raises(jax.errors.KeyReuseError) as caught_exc:
        noisy(X3, jax.random.key(0))
    info = explain(caught_exc.value, noisy)
    assert "jax.random.bernoulli(k_mask, 0.5, h.shape)" in info["fix"], info


def test_a_spec_with_more_entries_than_axes_is_cut_to_the_arrays_rank():
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec as P

    mesh = jax.make_mesh((1,), ("data",))
    with pytest.raises(ValueError) as caught_exc:
        jax.device_put(X3, NamedSharding(mesh, P("data", None)))
    info = explain(caught_exc.value)
    assert "P('data')" in info["fix"] and info["concept"] == "partition-spec", info
