"""A fifteenth batch, written blind, of silent sharp bits as they appear in real code (training loops, data pipelines, simulations, metrics logging, debugging) and the errors they turn into: each expectation was checked against JAX itself, not the coach."""  # noqa: E501

import itertools
import json
import types

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from . import case, sharp

T = "trace-time-side-effects"
W = jnp.array([0.5, -1.0, 2.0, 0.25])
BATCH = jnp.array([[1.0, 0.0, 2.0, -1.0], [0.5, 1.5, -0.5, 0.0]])
TARGETS = jnp.array([1.0, -2.0])
FIT = (W, BATCH, TARGETS)
LOGITS = jnp.array([[2.0, 0.5, -1.0], [0.1, 0.3, 1.2]])
LABELS = jnp.array([0, 2])
SCORES = jnp.array([0.1, 0.7, 0.4, 0.9])
HITS = jnp.array([0, 1, 0, 1])


# =================================================================================================
# silent sharp bits
# =================================================================================================


# --- print: runs once, at trace time, and shows tracers -------------------------------------------
@sharp("print", 'print("loss", value, "grad norm", norm)', T, FIT)
def train_step_logs_through_helper(w, x, y):
    def log_metrics(value, norm):
        print("loss", value, "grad norm", norm)

    def loss_fn(p):
        return jnp.mean((x @ p - y) ** 2)

    loss, g = jax.value_and_grad(loss_fn)(w)
    log_metrics(loss, jnp.linalg.norm(g))
    return w - 0.1 * g


@sharp("print", 'print("t =", t, "position =", pos)', T, (jnp.linspace(0.0, 1.0, 5),))
def spring_rollout_prints_each_step(times):
    def step(state, t):
        pos, vel = state
        print("t =", t, "position =", pos)
        vel = vel - 0.1 * pos
        return (pos + 0.1 * vel, vel), pos

    _, path = lax.scan(step, (jnp.float32(1.0), jnp.float32(0.0)), times)
    return path


@sharp("print", 'print("momentum buffer", self.buf)', T, (W,))
def momentum_optimizer_prints_its_buffer(grads):
    class Momentum:
        def __init__(self, beta):
            self.beta = beta
            self.buf = jnp.zeros_like(grads)

        def update(self, g):
            self.buf = self.beta * self.buf + g
            print("momentum buffer", self.buf)
            return -0.01 * self.buf

    opt = Momentum(0.9)
    return opt.update(grads) + opt.update(grads)


@sharp("print", 'print(f"sweep {i}: residual {res}")', T, (jnp.array([4.0, 2.0, 1.0]),))
def jacobi_solver_prints_residual(b):
    diag = jnp.array([4.0, 5.0, 6.0])

    def sweep(i, x):
        res = jnp.max(jnp.abs(diag * x - b))
        print(f"sweep {i}: residual {res}")
        return x + (b - diag * x) / diag

    return lax.fori_loop(0, 10, sweep, jnp.zeros_like(b))


# --- side effects that store no tracer: they happen once per trace --------------------------------
_STEPS_RUN = 0
_SEEN_SHAPES = []
_VISITS = np.zeros(3, dtype=np.int64)
_EVAL = types.SimpleNamespace(examples_seen=0)


@sharp("side-effect", "_STEPS_RUN += 1", T, FIT)
def train_step_counts_steps_globally(w, x, y):
    global _STEPS_RUN
    _STEPS_RUN += 1
    g = jax.grad(lambda p: jnp.mean((x @ p - y) ** 2))(w)
    return w - 0.05 * g


@sharp("side-effect", "_SEEN_SHAPES.append(b.shape)", "data-pipeline", (BATCH,))
def pipeline_records_batch_shapes(raw):
    def standardize(b):
        _SEEN_SHAPES.append(b.shape)
        return (b - b.mean(axis=0)) / (b.std(axis=0) + 1e-6)

    return standardize(raw)


@sharp("side-effect", "_VISITS[0] += 1", T, (jnp.arange(5.0),))
def random_walk_tallies_steps_in_numpy(draws):
    def step(pos, d):
        _VISITS[0] += 1
        pos = pos + jnp.sign(d - 2.0)
        return pos, pos

    return lax.scan(step, jnp.float32(0.0), draws)[1]


@sharp("side-effect", "_EVAL.examples_seen += logits.shape[0]", "metrics-logging", (LOGITS, LABELS))
def eval_meter_counts_examples_on_attribute(logits, labels):
    class AccuracyMeter:
        def update(self, logits, labels):
            _EVAL.examples_seen += logits.shape[0]
            return jnp.sum(jnp.argmax(logits, axis=-1) == labels)

    return AccuracyMeter().update(logits, labels) / labels.shape[0]


# --- indices known at trace time, past the end ----------------------------------------------------
@sharp(
    "out-of-bounds",
    "history[window] - history[0]",
    "out-of-bounds",
    (jnp.linspace(2.0, 1.0, 8),),
)
def loss_improvement_over_window(history):
    window = 8  # eight losses logged: the last one is history[7]
    return history[window] - history[0]


@sharp(
    "out-of-bounds",
    "buffer.at[num_added].set(transition)",
    "out-of-bounds",
    (jnp.zeros((4, 2)), jnp.array([1.0, 2.0])),
)
def replay_buffer_push_without_wraparound(buffer, transition):
    num_added = 4  # the fifth transition; the modulo by the capacity is missing
    return buffer.at[num_added].set(transition)


@sharp(
    "out-of-bounds",
    "lax.dynamic_slice(tokens, (start,), (size,))",
    "out-of-bounds",
    (jnp.arange(10.0),),
)
def last_batch_slice_past_the_data(tokens):
    def get_batch(i, size=4):
        start = i * size
        return lax.dynamic_slice(tokens, (start,), (size,))

    return jnp.stack([get_batch(i) for i in range(3)])


@sharp(
    "out-of-bounds",
    "jnp.take(table, jnp.array([1, 3, 4]), axis=0)",
    "out-of-bounds",
    (jnp.ones((4, 3)),),
)
def embed_with_pad_id_past_vocab(table):
    def embed_sentence():
        # id 4 is the padding id, but the vocabulary has only four rows
        return jnp.take(table, jnp.array([1, 3, 4]), axis=0)

    return embed_sentence().sum(axis=-1)


# --- globals read at trace time and baked in ------------------------------------------------------
_FEATURE_MEAN = np.array([0.5, 0.5, 0.0, 0.0], dtype=np.float32)
_FEATURE_STD = np.array([1.0, 2.0, 1.0, 0.5], dtype=np.float32)
_LR_TABLE = jnp.array([0.1, 0.05, 0.02, 0.01])
_MODEL = types.SimpleNamespace(
    w=jnp.array([[1.0, 0.0], [0.0, 1.0], [0.5, -0.5], [-1.0, 1.0]]), b=jnp.array([0.1, -0.1])
)
_WALLS = np.array([False, True, False, False, True, False])


@sharp("constant", "(batch - _FEATURE_MEAN) / _FEATURE_STD", "closed-over-constants", (BATCH,))
def standardize_with_global_stats(batch):
    return (batch - _FEATURE_MEAN) / _FEATURE_STD


@sharp("constant", "p - _LR_TABLE[i] * 2.0 * p", "closed-over-constants", (W,))
def sgd_with_global_lr_table(w):
    def body(i, p):
        return p - _LR_TABLE[i] * 2.0 * p

    return lax.fori_loop(0, 4, body, w)


@sharp("constant", "x @ _MODEL.w + _MODEL.b", "closed-over-constants", (BATCH,))
def predict_with_global_model(x):
    return jnp.tanh(x @ _MODEL.w + _MODEL.b)


@sharp(
    "constant",
    "jnp.where(_WALLS, 0.0, u + 0.1 * lap)",
    "closed-over-constants",
    (jnp.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0]),),
)
def heat_diffusion_with_wall_mask(u0):
    def step(u, _):
        lap = jnp.roll(u, 1) + jnp.roll(u, -1) - 2.0 * u
        u = jnp.where(_WALLS, 0.0, u + 0.1 * lap)
        return u, None

    return lax.scan(step, u0, None, length=10)[0]


# --- iterators consumed while tracing -------------------------------------------------------------
def _halving_rates():
    rate = 0.5
    while True:
        yield rate
        rate /= 2


_BATCH_STREAM = (np.full((2, 4), float(k), np.float32) for k in itertools.count())
_DROP_RATES = _halving_rates()
_AUG_SCALES = (1.0 + 0.1 * k for k in itertools.count())
_SEED_COUNTER = itertools.count(100)


@sharp("iterator", "batch = next(_BATCH_STREAM)", "data-pipeline", (W,))
def train_step_pulls_its_own_batch(w):
    batch = next(_BATCH_STREAM)

    def loss_fn(p):
        return jnp.mean((batch @ p) ** 2)

    return w - 0.01 * jax.grad(loss_fn)(w)


@sharp("iterator", "keep = 1.0 - next(_DROP_RATES)", T, (jnp.ones((3, 2)),))
def annealed_dropout_rate_in_scan(xs):
    def layer(h, x):
        keep = 1.0 - next(_DROP_RATES)
        h = keep * h + x
        return h, h

    return lax.scan(layer, jnp.zeros(2), xs)[1]


@sharp("iterator", "for s in itertools.islice(_AUG_SCALES, 3):", "data-pipeline", (BATCH,))
def multiscale_views_from_shared_iterator(x):
    views = []
    for s in itertools.islice(_AUG_SCALES, 3):
        views.append(x * s)
    return jnp.stack(views).mean(axis=0)


@sharp("iterator", "jax.random.key(next(_SEED_COUNTER))", T, (jnp.zeros(3),))
def noisy_eval_draws_seed_from_counter(x):
    class NoiseSource:
        def sample(self, shape):
            return jax.random.normal(jax.random.key(next(_SEED_COUNTER)), shape)

    return x + 0.1 * NoiseSource().sample(x.shape)


# --- Python loops unrolled into the trace ---------------------------------------------------------
_THRESHOLDS = [i / 30 for i in range(30)]


@sharp("unrolled", "for _ in range(25):", "loops-compile-time", FIT)
def inner_sgd_loop_unrolled(w, x, y):
    def loss_fn(p):
        return jnp.mean((x @ p - y) ** 2)

    for _ in range(25):
        w = w - 0.05 * jax.grad(loss_fn)(w)
    return w


@sharp(
    "unrolled",
    "for _ in range(100):",
    "loops-compile-time",
    (jnp.array([1.0, 0.0]), jnp.array([0.0, 1.0])),
)
def euler_orbit_python_loop(pos, vel):
    def integrate(p, v, dt=0.01):
        for _ in range(100):
            acc = -p / jnp.linalg.norm(p) ** 3
            v = v + dt * acc
            p = p + dt * v
        return p, v

    return integrate(pos, vel)


@sharp("unrolled", "for substep in range(24):", "loops-compile-time", (jnp.linspace(0.0, 1.0, 4),))
def relaxation_substeps_inside_scan(forcing):
    def step(x, f):
        for substep in range(24):
            x = x + (f - x) / (24.0 + substep)
        return x, x

    return lax.scan(step, jnp.float32(0.0), forcing)[1]


@sharp("unrolled", "for t in _THRESHOLDS:", "metrics-logging", (SCORES, HITS))
def precision_curve_over_thresholds(scores, labels):
    class PrecisionCurve:
        def points(self):
            out = []
            for t in _THRESHOLDS:
                pred = scores > t
                tp = jnp.sum(pred & (labels == 1))
                out.append(tp / jnp.maximum(jnp.sum(pred), 1))
            return jnp.stack(out)

    return PrecisionCurve().points()


# --- static arguments that change on every call ---------------------------------------------------
@sharp(
    "static", "lr = 0.1 * min(1.0, (step + 1) / 100)", "retracing", (W, W, 3), static_argnums=(2,)
)
def warmup_step_number_as_static_argument(w, g, step):
    lr = 0.1 * min(1.0, (step + 1) / 100)
    return w - lr * g


@sharp(
    "static",
    "return pos + dt * vel, vel + dt * acc",
    "retracing",
    (jnp.array([1.0, 0.0]), jnp.array([0.0, 1.0]), 0.01),
    static_argnums=(2,),
)
def euler_step_with_static_adaptive_dt(pos, vel, dt):
    acc = -pos
    return pos + dt * vel, vel + dt * acc


@sharp(
    "static",
    "jax.nn.softmax(logits / temperature)",
    "retracing",
    (jnp.array([1.0, 2.0, 0.5]), 2.0),
    static_argnums=(1,),
)
def sampling_probs_at_annealed_temperature(logits, temperature):
    return jax.nn.softmax(logits / temperature)


@sharp("static", "(scores > threshold)", "retracing", (SCORES, HITS, 0.5), static_argnums=(2,))
def accuracy_at_swept_threshold(scores, labels, threshold):
    return jnp.mean((scores > threshold) == (labels == 1))


# =================================================================================================
# the errors the same programs turn into
# =================================================================================================
_LOG_LINES = []
_LOSS_CURVE = []
_LAST_METRICS = {}
_MONITOR = types.SimpleNamespace(energy=None)
_PREFETCH = np.zeros((2, 4), dtype=np.float32)
_LR_BY_EPOCH = [0.1, 0.05, 0.01]
_STOP_TOKENS = {0, 2}


# --- logging and printing -------------------------------------------------------------------------
@case("TypeError", 'print(f"step loss {loss:.4f}")', ("jax.debug.print",), "debug-print", FIT)
def train_step_prints_rounded_loss(w, x, y):
    loss = jnp.mean((x @ w - y) ** 2)
    print(f"step loss {loss:.4f}")
    return loss


@case("TypeError", "print(line_fmt.format(norm))", ("jax.debug.print",), "debug-print", (W,))
def clip_grads_reports_norm(g):
    line_fmt = "grad norm {:.2e}"

    def report(norm):
        print(line_fmt.format(norm))

    norm = jnp.linalg.norm(g)
    report(norm)
    return g * jnp.minimum(1.0, 1.0 / norm)


@case(
    "ConcretizationTypeError",
    "print(line_fmt % loss)",
    ("jax.debug.print|outside|jax.device_get",),
    "metrics-logging",
    FIT,
)
def epoch_summary_with_percent_format(w, x, y):
    loss = jnp.mean((x @ w - y) ** 2)
    line_fmt = "epoch loss %.3f"
    print(line_fmt % loss)
    return loss


@case(
    "KeyError",
    'jax.debug.print("loss {loss}", loss)',
    ("loss=loss|{}",),
    "debug-print",
    FIT,
)
def debug_print_with_named_placeholder(w, x, y):
    loss = jnp.mean((x @ w - y) ** 2)
    jax.debug.print("loss {loss}", loss)
    return loss


@case(
    "TypeError",
    'json.dumps({"accuracy": acc})',
    ("outside|jax.device_get|jax.debug.callback|io_callback",),
    "metrics-logging",
    (LOGITS, LABELS),
)
def metrics_record_as_json(logits, labels):
    acc = jnp.mean(jnp.argmax(logits, axis=-1) == labels)
    _LOG_LINES.append(json.dumps({"accuracy": acc}))
    return acc


@case(
    "ConcretizationTypeError",
    "_LOSS_CURVE.append(float(loss))",
    ("ys|scan output|return|jax.debug.callback|io_callback",),
    "metrics-logging",
    (W, jnp.ones((3, 4))),
)
def scan_training_logs_python_floats(w, xs):
    def step(p, x):
        loss = jnp.sum((p * x) ** 2)
        _LOSS_CURVE.append(float(loss))
        return p - 0.1 * p * x**2, loss

    return lax.scan(step, w, xs)


@case(
    "ConcretizationTypeError",
    '"per_class": per_class.tolist()',
    ("outside|jax.device_get|return",),
    "metrics-logging",
    (LOGITS, LABELS),
)
def per_class_accuracy_to_python_list(logits, labels):
    onehot = jax.nn.one_hot(labels, 3)
    correct = onehot * (jnp.argmax(logits, axis=-1) == labels)[:, None]
    per_class = correct.sum(0) / jnp.maximum(onehot.sum(0), 1)
    return {"per_class": per_class.tolist()}


# --- values leaked out of a trace -----------------------------------------------------------------
@case(
    "UnexpectedTracerError",
    'smoothed = 0.9 * _LAST_METRICS["loss"]',
    ("return|has_aux",),
    "leaked-tracers",
    FIT,
    via="call",
)
def stash_loss_in_global_then_smooth(w, x, y):
    @jax.jit
    def step(p):
        loss, g = jax.value_and_grad(lambda q: jnp.mean((x @ q - y) ** 2))(p)
        _LAST_METRICS["loss"] = loss
        return p - 0.1 * g

    w = step(w)
    smoothed = 0.9 * _LAST_METRICS["loss"]
    return w, smoothed


@case(
    "UnexpectedTracerError",
    "jnp.mean(jnp.stack(logger.losses))",
    ("return|has_aux",),
    "leaked-tracers",
    FIT,
    via="call",
)
def logger_collects_losses_inside_jit(w, x, y):
    class Logger:
        def __init__(self):
            self.losses = []

        def log(self, value):
            self.losses.append(value)

    logger = Logger()

    @jax.jit
    def step(p):
        loss, g = jax.value_and_grad(lambda q: jnp.mean((x @ q - y) ** 2))(p)
        logger.log(loss)
        return p - 0.1 * g

    for _ in range(3):
        w = step(w)
    return jnp.mean(jnp.stack(logger.losses))


@case(
    "ConcretizationTypeError",
    'print("energy drift", float(_MONITOR.energy))',
    ("return",),
    "leaked-tracers",
    (jnp.array([1.0, 0.0]), jnp.array([0.0, 1.0])),
    via="call",
)
def energy_monitor_attribute_read_after_jit(pos, vel):
    @jax.jit
    def step(p, v):
        v = v - 0.01 * p
        p = p + 0.01 * v
        _MONITOR.energy = 0.5 * (p @ p + v @ v)
        return p, v

    pos, vel = step(pos, vel)
    print("energy drift", float(_MONITOR.energy))
    return pos


@case(
    "UnexpectedTracerError",
    "return jnp.max(kept[0])",
    ("return|output|has_aux",),
    "leaked-tracers",
    FIT,
)
def per_example_losses_kept_in_list(w, x, y):
    kept = []

    def example_loss(xi, yi):
        loss = (xi @ w - yi) ** 2
        kept.append(loss)
        return loss

    jax.vmap(example_loss)(x, y)
    return jnp.max(kept[0])


@case(
    "Exception",
    "lax.scan(step, state, None, length=5)",
    ("ys|scan output|return",),
    "leaked-tracers",
    (jnp.array([1.0, 0.0]),),
    context=lambda: jax.checking_leaks(),
)
def debug_session_keeps_scan_states(state):
    seen = []

    def step(s, _):
        seen.append(s)
        return jnp.array([s[0] - 0.1 * s[1], s[1] + 0.1 * s[0]]), None

    lax.scan(step, state, None, length=5)
    return jnp.stack(seen)


# --- NumPy and iterators in the traced function ---------------------------------------------------
@case(
    "TracerArrayConversionError",
    "_PREFETCH[slot] = batch",
    (".at[|outside",),
    "immutable-arrays",
    (BATCH[0],),
)
def prefetch_into_numpy_ring(batch):
    slot = 1
    _PREFETCH[slot] = batch
    return batch * 2.0


@case("TracerArrayConversionError", "np.log1p(counts)", ("jnp.log1p",), "jax-numpy", (SCORES,))
def log_count_features_with_numpy(counts):
    features = np.log1p(counts)
    return features / features.sum()


@case(
    "TypeError",
    "lax.scan(step, w, zip(xs, ys, strict=True))",
    ("(xs, ys)|tuple",),
    "scan",
    (W, BATCH, TARGETS),
)
def scan_over_zipped_batches(w, xs, ys):
    def step(p, batch):
        xb, yb = batch
        g = 2.0 * (xb @ p - yb) * xb
        return p - 0.1 * g, jnp.sum(g**2)

    return lax.scan(step, w, zip(xs, ys, strict=True))


@case("TypeError", "jnp.stack(views)", ("list|[x * s",), "jax-numpy", (BATCH,))
def augmented_views_from_generator(x):
    views = (x * s for s in (0.9, 1.0, 1.1))
    return jnp.stack(views).mean(axis=0)


@case("TypeError", "if tok in _STOP_TOKENS:", ("jnp.isin",), "tracers", (jnp.array([3, 5, 2, 4]),))
def stop_at_special_token(tokens):
    def step(done, tok):
        if tok in _STOP_TOKENS:
            done = True
        return done, done

    return lax.scan(step, False, tokens)


# --- traced values where Python needs a concrete one ----------------------------------------------
@case(
    "TracerBoolConversionError",
    "if loss < 1e-3:",
    ("lax.while_loop|while_loop",),
    "while-loop",
    FIT,
)
def fit_until_converged_with_break(w, x, y):
    def loss_fn(p):
        return jnp.mean((x @ p - y) ** 2)

    for _ in range(100):
        loss, g = jax.value_and_grad(loss_fn)(w)
        if loss < 1e-3:
            break
        w = w - 0.1 * g
    return w


@case(
    "TracerBoolConversionError",
    "while t < t_end:",
    ("lax.while_loop|while_loop",),
    "while-loop",
    (jnp.array([1.0, 2.0]), 1.0),
)
def integrate_until_end_time(y0, t_end):
    t, y = 0.0, y0
    while t < t_end:
        y = y - 0.1 * y
        t = t + 0.1
    return y


@case(
    "TracerIntegerConversionError",
    "for _ in range(n_steps):",
    ("static_argnums|fori_loop",),
    "fori-loop",
    (jnp.arange(4.0), 5),
)
def simulate_n_steps_with_python_range(x, n_steps):
    for _ in range(n_steps):
        x = 0.5 * (x + jnp.roll(x, 1))
    return x


@case(
    "TypeError",
    "jnp.zeros((n_particles, 2))",
    ("static_argnums|static_argnames",),
    "static-args",
    (jax.random.key(0), 8),
)
def init_particles_for_count(key, n_particles):
    pos = jnp.zeros((n_particles, 2))
    return pos + jax.random.normal(key, pos.shape)


@case(
    "TracerIntegerConversionError",
    "return augmentations[i % 3](v)",
    ("lax.switch",),
    "switch",
    (jnp.array([3.0, 1.0, 2.0]),),
)
def augmentation_chosen_by_loop_index(x):
    augmentations = [jnp.flip, lambda v: v * 0.5, jnp.sort]

    def body(i, v):
        return augmentations[i % 3](v)

    return lax.fori_loop(0, 3, body, x)


@case(
    "TracerIntegerConversionError",
    "_LR_BY_EPOCH[epoch] * g",
    ("jnp.array|jnp.asarray|static_argnums",),
    "static-vs-traced",
    (W, W, 1),
)
def lr_from_python_list_by_epoch(w, g, epoch):
    return w - _LR_BY_EPOCH[epoch] * g


@case(
    "NotImplementedError",
    'jnp.take(table, ids, axis=0, mode="raise")',
    ('checkify|mode="clip"|mode="fill"|"clip"|"fill"',),
    "out-of-bounds",
    (jnp.ones((4, 3)), jnp.array([1, 3, 4])),
)
def gather_tokens_with_raise_mode(table, ids):
    return jnp.take(table, ids, axis=0, mode="raise")


# --- static arguments that cannot be static -------------------------------------------------------
@case(
    "ValueError",
    "step(state, jnp.array([0.1, 0.2]))",
    ("static_argnums|tuple|hashable",),
    "static-args",
    (jnp.array([1.0, 1.0]),),
    via="call",
)
def static_coefficients_as_jax_array(state):
    step = jax.jit(lambda s, coeffs: s * coeffs[0] + coeffs[1], static_argnums=1)
    return step(state, jnp.array([0.1, 0.2]))


@case("ValueError", "forward(x, [3, 2])", ("tuple",), "static-args", (BATCH,), via="call")
def mlp_widths_as_static_list(x):
    def mlp(v, widths):
        for width in widths:
            v = jnp.tanh(v.sum(-1, keepdims=True) * jnp.ones(width))
        return v

    forward = jax.jit(mlp, static_argnums=1)
    return forward(x, [3, 2])


@case(
    "ValueError",
    "return step_fn(p, i)",
    ("static_argnums|jnp.minimum",),
    "static-args",
    (W,),
)
def warmup_step_called_with_loop_index(w):
    step_fn = jax.jit(lambda p, step: p * (1.0 - 0.01 * min(step, 10)), static_argnums=1)

    def body(i, p):
        return step_fn(p, i)

    return lax.fori_loop(0, 5, body, w)
