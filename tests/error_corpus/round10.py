"""A tenth batch, written blind from the JAX API reference and NumPy/PyTorch habits: each expectation was checked against JAX itself, not the coach."""  # noqa: E501

import jax
import jax.numpy as jnp
import jax.scipy.optimize
import jax.scipy.stats
from jax import lax
from jax.experimental import checkify
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

from . import case, sharp

V = (jnp.array([0.25, -1.5, 2.0, 0.75]),)
SQ = (jnp.array([[4.0, 1.0], [1.0, 3.0]]),)
KEY = (jax.random.key(10),)
PARAMS = ({"w": jnp.ones((2, 2)), "b": jnp.zeros(2)},)


def _mesh():
    return jax.make_mesh((1,), ("data",))


# --- jax.numpy with NumPy and PyTorch habits ------------------------------------------------------
@case("AttributeError", "x.clamp(0.0, 1.0)", ("jnp.clip|.clip(",), "numpy-differences", V)
def clamp_probabilities_torch_style(x):
    return x.clamp(0.0, 1.0)


@case("TypeError", "jnp.std(x, unbiased=True)", ("ddof",), "numpy-differences", V)
def sample_std_with_unbiased_flag(x):
    return (x - x.mean()) / jnp.std(x, unbiased=True)


@case("AttributeError", "jnp.cat([x, x**2])", ("jnp.concatenate",), "jax-numpy", V)
def polynomial_features_with_cat(x):
    return jnp.cat([x, x**2])


@case("TypeError", "jnp.zeros(2, 3)", ("(2, 3)",), "array-creation", V)
def zeros_with_dims_as_arguments(x):
    return jnp.zeros(2, 3) + x[0]


@case("AttributeError", "jnp.random.normal(size=4)", ("jax.random",), "explicit-prng", V)
def noise_from_jnp_random(x):
    return x + jnp.random.normal(size=4)


@case(
    "AttributeError",
    "x.numpy()",
    ("np.asarray|np.array|jax.device_get",),
    "host-device-transfer",
    V,
    via="call",
)
def tensor_to_numpy_method(x):
    return x.numpy()


@case("TypeError", "m.size(0)", ("shape[0]|len(m)",), "numpy-differences", SQ)
def rows_with_size_call(m):
    n_rows = m.size(0)
    return m.sum(0) / n_rows


@case("AttributeError", "x.detach()", ("stop_gradient",), "stop-gradient", V)
def frozen_target_with_detach(x):
    target = x.detach()
    return jnp.sum((x - target) ** 2)


@case("AttributeError", "x.masked_fill(x < 0, 0.0)", ("jnp.where",), "masking-where", V)
def zero_negatives_with_masked_fill(x):
    return x.masked_fill(x < 0, 0.0)


@case(
    "TypeError",
    'jnp.array(["cat", "dog", "cat"])',
    ("integer|ids|index",),
    "numpy-differences",
    V,
)
def count_string_labels(x):
    labels = jnp.array(["cat", "dog", "cat"])
    return jnp.sum(labels == "cat") * x


@case("TypeError", "dtype=object", ("pad|list|concatenate|stack",), "numpy-differences", V)
def ragged_rows_as_object_array(x):
    rows = jnp.array([x, x[:2]], dtype=object)
    return rows


@case(
    "NotImplementedError",
    "jnp.add.at(counts, labels, 1.0)",
    ("inplace=False|.at[",),
    "at-arithmetic",
    (jnp.array([0, 2, 2, 3]),),
)
def histogram_with_ufunc_at(labels):
    counts = jnp.zeros(4)
    jnp.add.at(counts, labels, 1.0)
    return counts


@case(
    "ValueError",
    "values, indices = jnp.max(scores, axis=1)",
    ("jnp.argmax",),
    "numpy-differences",
    (jnp.ones((3, 4)),),
)
def max_with_indices_torch_style(scores):
    values, indices = jnp.max(scores, axis=1)
    return values + indices


# --- lax primitives and their conventions ---------------------------------------------------------
@case(
    "ValueError",
    "lax.dot_general(a, b, ((1,), (0,)))",
    ("((), ())",),
    "dot-general",
    (SQ[0], SQ[0]),
)
def dot_general_without_batch_dims(a, b):
    return lax.dot_general(a, b, ((1,), (0,)))


@case(
    "TypeError",
    'lax.conv_general_dilated(signal, taps, 1, "SAME")',
    ("(1,)",),
    "convolution",
    (jnp.ones((1, 1, 8)), jnp.ones((1, 1, 3))),
)
def conv_with_integer_stride(signal, taps):
    return lax.conv_general_dilated(signal, taps, 1, "SAME")


@case(
    "TypeError",
    "lax.dynamic_update_slice(x, patch, (1,))",
    ("astype|x.dtype|float32|7.0",),
    "dynamic-slicing",
    V,
)
def write_integer_patch(x):
    patch = jnp.array([7, 8])
    return lax.dynamic_update_slice(x, patch, (1,))


@case(
    "TypeError",
    "lax.select_n(positive, -x, x, 2 * x)",
    ("int32|astype|integer",),
    "select-where",
    V,
)
def three_way_select_with_boolean(x):
    positive = x > 0
    return lax.select_n(positive, -x, x, 2 * x)


@case(
    "TypeError",
    'lax.reduce_window(m, 0.0, lax.add, (2,), (1,), "VALID")',
    ("(1, 2)|(2, 1)|(2, 2)",),
    "reductions",
    (jnp.ones((3, 4)),),
)
def moving_sum_window_for_one_axis(m):
    return lax.reduce_window(m, 0.0, lax.add, (2,), (1,), "VALID")


@case(
    "TypeError",
    "lax.sort(x, descending=True)",
    ("jnp.sort|lax.rev|[::-1]|jnp.flip",),
    "lax-vs-jnp",
    V,
)
def largest_first_with_lax_sort(x):
    return lax.sort(x, descending=True)


@case(
    "AttributeError",
    "lax.gather(x, idx, dnums, slice_sizes=(1,))",
    ("GatherDimensionNumbers",),
    "gather-scatter",
    V,
)
def gather_with_tuple_dimension_numbers(x):
    idx = jnp.array([[1], [3]])
    dnums = ((), (0,), (0,))
    return lax.gather(x, idx, dnums, slice_sizes=(1,))


@case(
    "TypeError",
    "lax.scatter_add(totals, idx, ones)",
    (".at[|ScatterDimensionNumbers",),
    "gather-scatter",
    (jnp.array([0, 2, 2]),),
)
def class_counts_with_lax_scatter_add(labels):
    totals = jnp.zeros(3)
    idx = labels[:, None]
    ones = jnp.ones(3)
    return lax.scatter_add(totals, idx, ones)


# --- jax.random samplers --------------------------------------------------------------------------
@case("TypeError", "jax.random.randint(key, (3,), 10)", ("minval|0, 10",), "samplers", KEY)
def dice_with_only_an_upper_bound(key):
    return jax.random.randint(key, (3,), 10)


@case(
    "ValueError",
    'jax.random.fold_in(key, "encoder")',
    ("integer|int(|hash|crc32",),
    "fold-in",
    KEY,
)
def key_for_a_named_layer(key):
    layer_key = jax.random.fold_in(key, "encoder")
    return jax.random.normal(layer_key, (2,))


@case("ValueError", "jax.random.split(keys)", ("vmap",), "keys-vmap-jit", KEY)
def split_a_batch_of_keys(key):
    keys = jax.random.split(key, 3)
    return jax.random.key_data(jax.random.split(keys))


@case("ValueError", "jax.random.bernoulli(key, p, (3,))", ("(3, 2)",), "samplers", KEY)
def three_flips_of_two_coins(key):
    p = jnp.array([0.1, 0.9])
    return jax.random.bernoulli(key, p, (3,))


@case(
    "TypeError",
    "jax.random.truncated_normal(key, (3,), -2.0, 2.0)",
    ("-2.0, 2.0, (3,)|lower, upper|shape=",),
    "samplers",
    KEY,
)
def truncated_normal_shape_first(key):
    return jax.random.truncated_normal(key, (3,), -2.0, 2.0)


# --- pytrees --------------------------------------------------------------------------------------
@case(
    "TypeError",
    "jax.tree.map(params, lambda p: p * 0.5)",
    ("first|jax.tree.map(lambda",),
    "tree-map",
    PARAMS,
)
def tree_map_tree_before_function(params):
    return jax.tree.map(params, lambda p: p * 0.5)


@case(
    "TypeError",
    "jax.tree.transpose(per_example)",
    ("jax.tree.structure",),
    "multi-tree-ops",
    V,
)
def regroup_pairs_without_treedefs(x):
    per_example = [(x, x * 2.0), (x * 3.0, x * 4.0)]
    return jax.tree.transpose(per_example)


@case(
    "AttributeError",
    'path[-1].key == "w"',
    ("path, leaf|(path,|first",),
    "key-paths",
    PARAMS,
)
def decay_with_path_as_second_argument(params):
    def decay(leaf, path):
        scale = 0.9 if path[-1].key == "w" else 1.0
        return leaf * scale

    return jax.tree.map_with_path(decay, params)


# --- jax.nn ---------------------------------------------------------------------------------------
@case("TypeError", "jax.nn.softmax(logits, dim=-1)", ("axis",), "numpy-differences", SQ)
def softmax_over_torch_dim(logits):
    return jax.nn.softmax(logits, dim=-1)


@case(
    "TypeError",
    "jax.nn.one_hot(labels)",
    ("num_classes",),
    "jax-numpy",
    (jnp.array([0, 2, 1]),),
)
def one_hot_without_class_count(labels):
    return jax.nn.one_hot(labels)


@case("TypeError", "jax.nn.relu(h, inplace=True)", ("inplace",), "immutable-arrays", V)
def relu_in_place_torch_style(x):
    h = x * 2.0
    jax.nn.relu(h, inplace=True)
    return h


# --- jax.numpy.linalg and jax.scipy ---------------------------------------------------------------
@case("ValueError", 'jnp.linalg.qr(m, mode="economic")', ("reduced",), "scipy-linalg", SQ)
def thin_qr_with_economic_mode(m):
    q, r = jnp.linalg.qr(m, mode="economic")
    return q @ r


@case(
    "TypeError",
    "jax.scipy.stats.norm.pdf(x, mean=0.0, std=2.0)",
    ("loc", "scale"),
    "scipy-linalg",
    V,
)
def gaussian_density_torch_keywords(x):
    return jax.scipy.stats.norm.pdf(x, mean=0.0, std=2.0)


@case(
    "NotImplementedError",
    "map_coordinates(image, coords, order=3)",
    ("order=1|order=0",),
    "scipy-linalg",
    (jnp.arange(16.0).reshape(4, 4),),
)
def bicubic_resample(image):
    coords = [jnp.array([0.5, 1.5]), jnp.array([2.5, 0.5])]
    return jax.scipy.ndimage.map_coordinates(image, coords, order=3)


@case(
    "ValueError",
    'method="Nelder-Mead"',
    ("BFGS",),
    "scipy-linalg",
    V,
)
def minimize_with_nelder_mead(x0):
    def bowl(v):
        return jnp.sum((v - 1.0) ** 2)

    result = jax.scipy.optimize.minimize(bowl, x0, method="Nelder-Mead")
    return result.x


# --- checkify, jax.debug, ensure_compile_time_eval, named_scope -----------------------------------
@case("TracerBoolConversionError", "err.get()", ("outside|return err",), "checkify", V)
def read_checkify_error_inside_jit(x):
    def safe_log(v):
        checkify.check(jnp.all(v > 0), "log of a non-positive value")
        return jnp.log(v)

    err, y = checkify.checkify(safe_log)(x)
    if err.get() is not None:
        return jnp.zeros_like(y)
    return y


@case("ValueError", 'jax.debug.print("loss %f", loss)', ("{",), "debug-print", V)
def debug_print_with_percent_format(x):
    loss = jnp.mean(x**2)
    jax.debug.print("loss %f", loss)
    return loss


@case(
    "ConcretizationTypeError",
    "n = int(x.sum())",
    ("static_argnums|static_argnames",),
    "static-args",
    (jnp.array([1.0, 2.0]),),
)
def compile_time_eval_of_an_argument(x):
    with jax.ensure_compile_time_eval():
        n = int(x.sum())
    return jnp.tile(x, n)


@case(
    "TypeError",
    "@jax.named_scope",
    ("named_scope(\"|named_scope('|string",),
    "profiler",
    V,
)
def named_scope_without_a_name(x):
    @jax.named_scope
    def attention_block(v):
        return jax.nn.softmax(v) * v

    return attention_block(x)


# --- custom_jvp and custom_vjp --------------------------------------------------------------------
@case("TypeError", "jax.jvp(soft_clip, (x,), (t,))", ("primal",), "custom-jvp", V)
def custom_jvp_rule_returns_only_tangent(x):
    @jax.custom_jvp
    def soft_clip(v):
        return jnp.tanh(v)

    @soft_clip.defjvp
    def soft_clip_jvp(primals, tangents):
        (v,), (dv,) = primals, tangents
        return dv / jnp.cosh(v) ** 2

    t = jnp.ones_like(x)
    return jax.jvp(soft_clip, (x,), (t,))


@case("AttributeError", "jax.grad(lambda v: jnp.sum(clipped(v)))(x)", ("defvjp",), "custom-vjp", V)
def custom_vjp_never_given_rules(x):
    @jax.custom_vjp
    def clipped(v):
        return jnp.clip(v, -1.0, 1.0)

    return jax.grad(lambda v: jnp.sum(clipped(v)))(x)


@case(
    "TypeError",
    "return jnp.sin(v), jnp.cos(v) * t",
    ("primals, tangents|(v,)|unpack",),
    "custom-jvp",
    V,
)
def custom_jvp_rule_with_unpacked_arguments(x):
    @jax.custom_jvp
    def wave(v):
        return jnp.sin(v)

    @wave.defjvp
    def wave_jvp(v, t):
        return jnp.sin(v), jnp.cos(v) * t

    return jax.jvp(wave, (x,), (jnp.ones_like(x),))


@case(
    "TypeError",
    "jax.grad(lambda v: jnp.sum(activate(v)))(x)",
    ("nondiff_argnums|close over|closure|arrays|JAX type",),
    "custom-vjp",
    V,
)
def custom_vjp_string_in_residuals(x):
    @jax.custom_vjp
    def activate(v):
        return jnp.tanh(v)

    def fwd(v):
        return jnp.tanh(v), (v, "tanh")

    def bwd(res, g):
        v, _ = res
        return (g / jnp.cosh(v) ** 2,)

    activate.defvjp(fwd, bwd)
    return jax.grad(lambda v: jnp.sum(activate(v)))(x)


# --- linear_transpose, jvp, vjp and linearize -----------------------------------------------------
@case(
    "NotImplementedError",
    "jax.linear_transpose(jnp.sin, x)(x)",
    ("jax.vjp|jax.grad",),
    "vjp",
    V,
)
def transpose_a_nonlinear_function(x):
    return jax.linear_transpose(jnp.sin, x)(x)


@case(
    "TypeError",
    "push_forward(jnp.ones_like(x))",
    ("y, |unpack|, f_jvp|out, |primal",),
    "linearize",
    V,
)
def linearize_result_not_unpacked(x):
    push_forward = jax.linearize(jnp.tanh, x)
    return push_forward(jnp.ones_like(x))


@case(
    "TypeError",
    "jax.vjp(jnp.tanh, x, has_aux=True)",
    ("has_aux=False|remove has_aux|drop has_aux|without has_aux|pair|tuple",),
    "vjp",
    V,
)
def vjp_has_aux_on_plain_function(x):
    y, pullback, aux = jax.vjp(jnp.tanh, x, has_aux=True)
    return pullback(jnp.ones_like(y))


@case(
    "TypeError",
    "jax.jvp(lambda a, b: a * b, (x, w), (jnp.ones_like(x),))",
    ("zeros_like|one tangent|each primal|same structure|same tree",),
    "jvp",
    (V[0], V[0] * 2.0),
)
def jvp_with_fewer_tangents_than_primals(x, w):
    return jax.jvp(lambda a, b: a * b, (x, w), (jnp.ones_like(x),))


# --- lax.map and associative_scan -----------------------------------------------------------------
@case(
    "ValueError",
    "lax.map(jnp.exp, [0.0, 1.0, 2.0])",
    ("jnp.array|jnp.asarray|jnp.stack",),
    "lax-map",
    V,
)
def lax_map_over_a_python_list(x):
    return lax.map(jnp.exp, [0.0, 1.0, 2.0]) + x[:3]


@case(
    "ValueError",
    "lax.associative_scan(compose, (gates, inputs))",
    ("tuple|pair|same structure",),
    "associative-scan",
    V,
)
def associative_combine_returns_one_array(x):
    gates = jnp.full_like(x, 0.5)
    inputs = x

    def compose(left, right):
        return right[0] * left[1] + right[1]

    return lax.associative_scan(compose, (gates, inputs))


# --- devices, meshes, sharding and shard_map on one CPU device ------------------------------------
@case(
    "IndexError",
    "jax.devices()[1]",
    ("jax.devices()[0]|num_cpu_devices|xla_force_host_platform_device_count",),
    "devices",
    V,
    via="call",
)
def put_on_second_device(x):
    return jax.device_put(x, jax.devices()[1])


@case(
    "ValueError",
    "jax.pmap(lambda r: r * 2.0)(x)",
    ("vmap|device_count|num_cpu_devices|shard_map|reshape(1",),
    "pmap",
    V,
    via="call",
)
def pmap_over_more_rows_than_devices(x):
    return jax.pmap(lambda r: r * 2.0)(x)


@case(
    "AssertionError",
    'jax.device_put(total, NamedSharding(mesh, P("data")))',
    ("P()",),
    "partition-spec",
    V,
    via="call",
)
def shard_a_scalar_along_data(x):
    mesh = _mesh()
    total = x.sum()
    return jax.device_put(total, NamedSharding(mesh, P("data")))


@case(
    "AssertionError",
    'lax.psum(block, "batch")',
    ("\"data\"|'data'",),
    "collectives",
    V,
    via="call",
)
def psum_over_axis_the_mesh_lacks(x):
    mesh = _mesh()

    def partial_sum(block):
        return lax.psum(block, "batch")

    with jax.set_mesh(mesh):
        xs = jax.device_put(x, P("data"))
        total = jax.shard_map(partial_sum, in_specs=P("data"), out_specs=P())
        return jax.jit(total)(xs)


@case("AttributeError", "x.sharding.spec", ("jax.typeof",), "jit-partitioning", V)
def read_sharding_of_a_tracer(x):
    spec = x.sharding.spec
    return x * len(spec)


@case(
    "ValueError",
    'jax.device_put(x, P("data"))',
    ("jax.set_mesh",),
    "mesh",
    V,
    via="call",
)
def legacy_with_mesh_context(x):
    mesh = _mesh()
    with mesh:
        return jax.device_put(x, P("data"))


@case(
    "ValueError",
    "return doubled(x)",
    ("device_put|reshard|AxisType.Auto",),
    "shard-map",
    V,
    via="call",
)
def shard_map_on_explicit_mesh_with_replicated_input(x):
    mesh = _mesh()
    doubled = jax.shard_map(lambda b: b * 2.0, mesh=mesh, in_specs=P("data"), out_specs=P("data"))
    return doubled(x)


@case(
    "ShardingTypeError",
    "jnp.concatenate([v, padding])",
    ("reshard|device_put",),
    "jit-partitioning",
    V,
    via="call",
)
def concatenate_sharded_with_replicated(x):
    def pad_to_eight(v):
        padding = jnp.zeros(4)
        return jnp.concatenate([v, padding])

    with jax.set_mesh(_mesh()):
        xs = jax.device_put(x, P("data"))
        return jax.jit(pad_to_eight)(xs)


# --- silent sharp bits ----------------------------------------------------------------------------
T = "trace-time-side-effects"
_SEEN_SHAPES = []
_PRECISION = jnp.array([[2.0, 0.0], [0.0, 0.5]])
_LAYER_IDS = iter(range(100))


@sharp("print", 'print("probabilities", probs)', T, V)
def print_softmax_output(x):
    probs = jax.nn.softmax(x)
    print("probabilities", probs)
    return probs


@sharp("side-effect", "_SEEN_SHAPES.append(leaf.shape)", T, PARAMS)
def record_shapes_in_tree_map(params):
    def scale(leaf):
        _SEEN_SHAPES.append(leaf.shape)
        return leaf * 0.5

    return jax.tree.map(scale, params)


@sharp("out-of-bounds", "lax.dynamic_slice(x, (3,), (2,))", "out-of-bounds", V)
def last_window_past_the_end(x):
    return lax.dynamic_slice(x, (3,), (2,))


@sharp("constant", "jnp.linalg.solve(_PRECISION, v)", "closed-over-constants", V)
def whiten_with_global_precision(x):
    v = x[:2]
    return jnp.linalg.solve(_PRECISION, v)


@sharp("iterator", "next(_LAYER_IDS)", T, KEY)
def layer_key_from_an_iterator(key):
    layer_key = jax.random.fold_in(key, next(_LAYER_IDS))
    return jax.random.normal(layer_key, (2,))


@sharp("unrolled", "for k in jax.random.split(key, 48):", "loops-compile-time", KEY)
def average_over_split_keys(key):
    total = jnp.zeros(2)
    for k in jax.random.split(key, 48):
        total = total + jax.random.normal(k, (2,))
    return total / 48


@sharp(
    "static",
    "jnp.linalg.matrix_power(m, n)",
    "retracing",
    SQ,
    kwargs={"n": 3},
    static_argnames=("n",),
)
def power_of_transition(m, n):
    return jnp.linalg.matrix_power(m, n)
