"""A sixteenth batch, written blind from scientific-computing code (integrators, solvers, linear algebra, simulations, Monte Carlo): each expectation was checked against JAX itself, not the coach."""  # noqa: E501

import jax
import jax.numpy as jnp
import jax.scipy.interpolate
import jax.scipy.ndimage
import jax.scipy.optimize
import jax.scipy.special
import jax.scipy.stats
import scipy.special
from jax import lax
from jax.experimental.ode import odeint

from . import case, sharp

Y0 = (jnp.array([1.0, 0.5, -0.2]),)
OSC = (jnp.array([1.0, 0.0]),)
DECAY = (jnp.linspace(0.0, 2.0, 8), 2.0 * jnp.exp(-0.7 * jnp.linspace(0.0, 2.0, 8)))
POS = (jnp.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 1.0, 3.0]]),)
KEY = jax.random.key(16)


# --- ODE integrators written by hand --------------------------------------------------------------
@case(
    "TracerIntegerConversionError",
    "for _ in range(n_steps):",
    ("static_argnums|static_argnames|fori_loop",),
    "static-args",
    (Y0[0], 20),
)
def euler_decay_for_n_steps(y, n_steps):
    for _ in range(n_steps):
        y = y + 0.01 * (-0.5 * y)
    return y


@case(
    "TypeError",
    "lax.scan(rk4_step, y0, None, length=50)",
    ("y_next, y_next|, None)|pair|tuple",),
    "scan",
    OSC,
)
def rk4_oscillator_step_returns_state_only(y0):
    dt = 0.1

    def f(y):
        return jnp.stack([y[1], -y[0]])

    def rk4_step(y, _):
        k1 = f(y)
        k2 = f(y + 0.5 * dt * k1)
        k3 = f(y + 0.5 * dt * k2)
        k4 = f(y + dt * k3)
        y_next = y + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        return y_next

    return lax.scan(rk4_step, y0, None, length=50)


@case(
    "TypeError",
    "lax.fori_loop(0, 10, body, y0[None])",
    ("lax.scan|.at[|jnp.zeros(",),
    "fori-loop",
    Y0,
)
def euler_trajectory_by_concatenation(y0):
    def body(i, traj):
        y = traj[-1]
        return jnp.concatenate([traj, (y - 0.1 * y)[None]])

    return lax.fori_loop(0, 10, body, y0[None])


@case(
    "TypeError",
    "lax.fori_loop(0, t_end / dt, lambda i, y: y - dt * y**3, y0)",
    ("int(|round(",),
    "fori-loop",
    Y0,
)
def integrate_cubic_damping_to_final_time(y0):
    t_end, dt = 2.0, 0.05
    return lax.fori_loop(0, t_end / dt, lambda i, y: y - dt * y**3, y0)


@case(
    "TypeError",
    "_, qs = lax.scan(step, (q0, p0), None, length=40)",
    ("tuple|(q, p)",),
    "scan",
    (jnp.array([1.0, -0.5]), jnp.zeros(2)),
)
def leapfrog_step_returns_a_list(q0, p0):
    dt = 0.05

    def step(state, _):
        q, p = state
        p = p - 0.5 * dt * q
        q = q + dt * p
        p = p - 0.5 * dt * q
        return [q, p], q

    _, qs = lax.scan(step, (q0, p0), None, length=40)
    return qs


@case(
    "TypeError",
    "_, probs = lax.scan(step, psi0, None, length=20)",
    ("complex|astype",),
    "scan",
    (jnp.array([0.6, 0.8, 0.0]),),
)
def propagate_phases_from_real_amplitudes(psi0):
    energies = jnp.array([0.0, 1.0, 2.0])

    def step(psi, _):
        psi = jnp.exp(-1j * energies * 0.1) * psi
        return psi, jnp.abs(psi) ** 2

    _, probs = lax.scan(step, psi0, None, length=20)
    return probs


@case("TypeError", "return odeint(rhs, y0, ts)", ("(y, t)|y, t",), "scipy-linalg", Y0)
def odeint_with_solve_ivp_argument_order(y0):
    def rhs(t, y):
        return -0.3 * y

    ts = jnp.linspace(0.0, 1.0, 6)
    return odeint(rhs, y0, ts)


# --- root finding, Newton's method and optimisation -----------------------------------------------
@case(
    "TracerBoolConversionError",
    "while hi - lo > 1e-5:",
    ("lax.while_loop|while_loop",),
    "python-control-flow",
    (1.0, 2.0),
)
def bisect_cube_root_of_two(lo, hi):
    def f(x):
        return x**3 - 2.0

    while hi - lo > 1e-5:
        mid = 0.5 * (lo + hi)
        above = f(mid) > 0
        lo, hi = jnp.where(above, lo, mid), jnp.where(above, mid, hi)
    return lo


@case(
    "TypeError",
    "lax.while_loop(not_converged, newton_update, jnp.ones_like(a))",
    ("jnp.all|jnp.any|jnp.max|norm",),
    "while-loop",
    (jnp.array([2.0, 3.0, 5.0]),),
)
def newton_square_roots_of_a_vector(a):
    def not_converged(x):
        return jnp.abs(x * x - a) > 1e-5

    def newton_update(x):
        return 0.5 * (x + a / x)

    return lax.while_loop(not_converged, newton_update, jnp.ones_like(a))


@case(
    "ValueError",
    "return jax.grad(cube_root)(a)",
    ("custom_root|fori_loop|scan|implicit",),
    "control-flow-autodiff",
    (2.0,),
)
def sensitivity_of_newton_root(a):
    def cube_root(a):
        def update(x):
            return x - (x**3 - a) / (3.0 * x**2)

        return lax.while_loop(lambda x: jnp.abs(x**3 - a) > 1e-5, update, 1.0)

    return jax.grad(cube_root)(a)


@case(
    "TypeError",
    "return y / g",
    ("g(1.0)|g(|linalg.solve",),
    "control-flow-autodiff",
    (2.0,),
)
def implicit_root_tangent_divides_by_function(a):
    def solve(g, x0):
        return lax.fori_loop(0, 20, lambda i, x: x - g(x) / (3.0 * x**2), x0)

    def tangent_solve(g, y):
        return y / g

    def cube_root(a):
        return lax.custom_root(lambda x: x**3 - a, 1.0, solve, tangent_solve)

    return jax.grad(cube_root)(a)


@case(
    "TypeError",
    "jax.scipy.optimize.minimize(loss, jnp.array([1.0, 0.5]))",
    ("BFGS",),
    "scipy-linalg",
    DECAY,
)
def fit_decay_with_default_method(ts, ys):
    def loss(theta):
        return jnp.sum((ys - theta[0] * jnp.exp(-theta[1] * ts)) ** 2)

    return jax.scipy.optimize.minimize(loss, jnp.array([1.0, 0.5])).x


@case(
    "TypeError",
    'jax.scipy.optimize.minimize(residuals, jnp.array([1.0, 0.5]), method="BFGS")',
    ("jnp.sum|.sum()|scalar|sum of squares",),
    "scipy-linalg",
    DECAY,
)
def least_squares_returning_residuals(ts, ys):
    def residuals(theta):
        return ys - theta[0] * jnp.exp(-theta[1] * ts)

    return jax.scipy.optimize.minimize(residuals, jnp.array([1.0, 0.5]), method="BFGS").x


@case(
    "TypeError",
    'jax.scipy.optimize.minimize(loss, jnp.zeros((2, 2)), method="BFGS")',
    ("ravel|reshape|flatten",),
    "scipy-linalg",
    (jnp.ones((5, 2)), jnp.arange(10.0).reshape(5, 2)),
)
def fit_coupling_matrix_directly(x, y):
    def loss(w):
        return jnp.sum((x @ w - y) ** 2)

    return jax.scipy.optimize.minimize(loss, jnp.zeros((2, 2)), method="BFGS").x


# --- linear algebra -------------------------------------------------------------------------------
@case(
    "ValueError",
    "jnp.linalg.solve(cell_mats, cell_rhs)",
    ("[..., None]|vmap",),
    "scipy-linalg",
    (jnp.tile(2.0 * jnp.eye(3), (4, 1, 1)), jnp.ones((4, 3))),
)
def solve_one_system_per_cell(cell_mats, cell_rhs):
    return jnp.linalg.solve(cell_mats, cell_rhs)


@case(
    "ValueError",
    'jnp.einsum("ij,j->i", stress, normals)',
    ("bij,bj|nij,nj|eij,ej|...ij,...j|vmap",),
    "dot-general",
    (jnp.tile(jnp.eye(3), (5, 1, 1)), jnp.ones((5, 3))),
)
def traction_on_each_element(stress, normals):
    return jnp.einsum("ij,j->i", stress, normals)


@case(
    "ValueError",
    "jax.scipy.linalg.cho_solve(chol, y_train)",
    ("(chol, True)|lower|cho_factor",),
    "scipy-linalg",
    (jnp.array([0.0, 0.5, 1.0, 1.5]), jnp.array([0.1, 0.4, 0.2, -0.3]), jnp.array([0.25, 1.2])),
)
def gp_posterior_mean_with_bare_factor(x_train, y_train, x_test):
    def rbf(a, b):
        return jnp.exp(-0.5 * (a - b) ** 2 / 0.3**2)

    k = rbf(x_train[:, None], x_train[None, :]) + 1e-4 * jnp.eye(x_train.shape[0])
    chol = jnp.linalg.cholesky(k)
    alpha = jax.scipy.linalg.cho_solve(chol, y_train)
    return rbf(x_test[:, None], x_train[None, :]) @ alpha


@case(
    "ValueError",
    "coef, residual = jnp.linalg.lstsq(vander, y)",
    ("[0]|*_|rank",),
    "scipy-linalg",
    (jnp.linspace(0.0, 1.0, 6), jnp.array([1.0, 1.2, 1.5, 2.1, 2.8, 3.9])),
)
def quadratic_fit_unpacked_in_two(t, y):
    vander = jnp.vander(t, 3)
    coef, residual = jnp.linalg.lstsq(vander, y)
    return coef


@case(
    "TypeError",
    "_, axes = jnp.linalg.eigh(centered)",
    ("centered.T @ centered|.T @|svd|jnp.cov|covariance",),
    "scipy-linalg",
    (jnp.arange(15.0).reshape(5, 3) ** 1.5,),
)
def principal_axes_of_raw_samples(samples):
    centered = samples - samples.mean(axis=0)
    _, axes = jnp.linalg.eigh(centered)
    return axes[:, -1]


@case(
    "NotImplementedError",
    "_, modes = jnp.linalg.eig(m)",
    ("eigh|symmetric|enable_eigvec_derivs",),
    "scipy-linalg",
    (jnp.array([[2.0, 1.0], [0.5, 3.0]]),),
)
def mode_shape_sensitivity(stiffness):
    def dominant_mode(m):
        _, modes = jnp.linalg.eig(m)
        return jnp.abs(modes[:, 0]).sum()

    return jax.grad(dominant_mode)(stiffness)


@case(
    "TypeError",
    "jnp.linalg.cholesky(k, lower=True)",
    ("jax.scipy.linalg.cholesky|upper|lower-triangular|already lower|cholesky(k)",),
    "scipy-linalg",
    (jnp.array([0.0, 0.3, 0.9, 1.4]),),
)
def gp_log_det_with_scipy_flag(x):
    k = jnp.exp(-0.5 * (x[:, None] - x[None, :]) ** 2) + 1e-3 * jnp.eye(x.shape[0])
    chol = jnp.linalg.cholesky(k, lower=True)
    return 2.0 * jnp.sum(jnp.log(jnp.diag(chol)))


# --- jax.scipy: special, stats, ndimage, interpolate ----------------------------------------------
@case(
    "NotImplementedError",
    "jax.scipy.special.factorial(k, exact=True)",
    ("exact=False|gammaln|poisson",),
    "scipy-linalg",
    (jnp.arange(5.0), 2.5),
)
def poisson_pmf_by_hand(k, lam):
    return lam**k * jnp.exp(-lam) / jax.scipy.special.factorial(k, exact=True)


@case(
    "NotImplementedError",
    "jax.scipy.ndimage.map_coordinates(field, [pts[:, 0], pts[:, 1]], order=3)",
    ("order=1|order=0",),
    "scipy-linalg",
    (jnp.arange(16.0).reshape(4, 4), jnp.array([[0.5, 1.5], [2.2, 0.1]])),
)
def sample_field_bicubic(field, pts):
    return jax.scipy.ndimage.map_coordinates(field, [pts[:, 0], pts[:, 1]], order=3)


@case(
    "ValueError",
    'eos = jax.scipy.interpolate.RegularGridInterpolator(grid, table, method="cubic")',
    ("linear|nearest",),
    "scipy-linalg",
    (jnp.array([0.1, 0.45, 0.8]), jnp.array([1.0, 1.3, 1.9, 2.8, 4.0])),
)
def tabulated_equation_of_state_cubic(rho, table):
    grid = (jnp.linspace(0.0, 1.0, table.shape[0]),)
    eos = jax.scipy.interpolate.RegularGridInterpolator(grid, table, method="cubic")
    return eos(rho[:, None])


@case(
    "ValueError",
    "jax.scipy.stats.multivariate_normal.logpdf(f, jnp.zeros_like(f), variances)",
    ("jnp.diag|norm.logpdf",),
    "scipy-linalg",
    (jnp.array([0.2, -0.1, 0.4]), jnp.array([1.0, 0.5, 2.0])),
)
def independent_prior_logpdf(f, variances):
    return jax.scipy.stats.multivariate_normal.logpdf(f, jnp.zeros_like(f), variances)


@case(
    "TracerArrayConversionError",
    "scipy.special.gamma(shape)",
    ("jax.scipy.special",),
    "jax-numpy",
    (jnp.array([1.5, 2.0, 3.5]), 2.0),
)
def gamma_density_normaliser(shape, x):
    return x ** (shape - 1.0) * jnp.exp(-x) / scipy.special.gamma(shape)


@case(
    "AttributeError", "jnp.trapz(force, dx=dx)", ("trapezoid",), "numpy-differences", (Y0[0], 0.1)
)
def work_along_a_path(force, dx):
    return jnp.trapz(force, dx=dx)


# --- FFTs and spectral methods --------------------------------------------------------------------
@case(
    "ConcretizationTypeError",
    "jnp.fft.fftfreq(signal, d=0.01)",
    (".shape[0]|len(|.size",),
    "jax-numpy",
    (jnp.sin(jnp.linspace(0.0, 6.0, 16)),),
)
def power_spectrum_with_frequencies(signal):
    freqs = jnp.fft.fftfreq(signal, d=0.01)
    return freqs, jnp.abs(jnp.fft.fft(signal)) ** 2


@case("TypeError", "return u + 0.01 * du", ("n=",), "jax-numpy", (jnp.sin(jnp.arange(7.0)),))
def spectral_advection_on_odd_grid(u):
    k = 2.0 * jnp.pi * jnp.fft.rfftfreq(u.shape[0], d=0.1)
    du = jnp.fft.irfft(1j * k * jnp.fft.rfft(u))
    return u + 0.01 * du


# --- finite differences and stencils --------------------------------------------------------------
@case("TypeError", "u[1:-1] = u[1:-1] + 0.1 * lap", (".at[",), "immutable-arrays", Y0)
def heat_step_in_place(u):
    lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
    u[1:-1] = u[1:-1] + 0.1 * lap
    return u


@case(
    "IndexError",
    "jnp.sum(u[i : i + 3] ** 2)",
    ("dynamic_slice",),
    "dynamic-slicing",
    (jnp.arange(8.0),),
)
def moving_window_energy(u):
    def body(i, acc):
        return acc + jnp.sum(u[i : i + 3] ** 2)

    return lax.fori_loop(0, u.shape[0] - 2, body, 0.0)


@case(
    "ValueError",
    'lax.conv(u, stencil, (1, 1), "SAME")',
    ("[None, None]|expand_dims|reshape|convolve2d",),
    "convolution",
    (jnp.ones((6, 6)),),
)
def five_point_laplacian_with_lax_conv(u):
    stencil = jnp.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    return lax.conv(u, stencil, (1, 1), "SAME")


# --- particles, springs and n-body ----------------------------------------------------------------
@case("TypeError", "return -jax.grad(energy)(pos)", ("jnp.sum|.sum()|scalar",), "grad", POS)
def forces_from_per_particle_energy(pos):
    def energy(x):
        return 0.5 * jnp.sum(x**2, axis=1)

    return -jax.grad(energy)(pos)


@case(
    "ValueError",
    "jax.vmap(lambda x, length: x % length)(pos, box)",
    ("None",),
    "in-axes",
    (POS[0], jnp.array([2.0, 2.0, 2.0])),
)
def wrap_particles_into_box(pos, box):
    return jax.vmap(lambda x, length: x % length)(pos, box)


@case("TypeError", "jax.hessian(energy)(sites)", ("float|astype|.0",), "hessian", (jnp.arange(4),))
def spring_chain_stiffness(sites):
    def energy(x):
        return 0.5 * jnp.sum((x[1:] - x[:-1] - 1.0) ** 2)

    return jax.hessian(energy)(sites)


@case(
    "NonConcreteBooleanIndexError",
    "close = dists[dists < 1.5]",
    ("jnp.where|size=",),
    "masking-where",
    (jnp.array([0.9, 1.2, 2.5, 3.1, 1.4]),),
)
def repulsion_of_close_pairs(dists):
    close = dists[dists < 1.5]
    return jnp.sum(1.0 / close**6)


@case(
    "NotImplementedError",
    "jnp.fill_diagonal(inv_r, 0.0)",
    ("inplace=False|jnp.where|.at[",),
    "immutable-arrays",
    POS,
)
def coulomb_energy_without_self_terms(pos):
    r = jnp.linalg.norm(pos[:, None, :] - pos[None, :, :] + jnp.eye(4)[..., None], axis=-1)
    inv_r = 1.0 / r
    jnp.fill_diagonal(inv_r, 0.0)
    return 0.5 * jnp.sum(inv_r)


# --- Monte Carlo and MCMC by hand -----------------------------------------------------------------
@case(
    "TypeError",
    "jax.random.normal(seed, (4, 3))",
    ("jax.random.key(|PRNGKey(",),
    "random-key",
    (0,),
)
def initial_velocities_from_seed(seed):
    return jax.random.normal(seed, (4, 3))


@case(
    "TracerBoolConversionError",
    "if jnp.log(jax.random.uniform(k2)) < log_p(proposal) - log_p(x):",
    ("jnp.where|lax.cond|lax.select",),
    "select-where",
    (KEY, 0.5),
)
def metropolis_chain_with_python_accept(key, x0):
    def log_p(x):
        return -0.5 * x**2

    def step(x, k):
        k1, k2 = jax.random.split(k)
        proposal = x + 0.5 * jax.random.normal(k1)
        if jnp.log(jax.random.uniform(k2)) < log_p(proposal) - log_p(x):
            x = proposal
        return x, x

    return lax.scan(step, x0, jax.random.split(key, 100))[1]


@case(
    "ValueError",
    "jax.vmap(walk)(key, x0)",
    ("split",),
    "keys-vmap-jit",
    (KEY, jnp.zeros(4)),
)
def parallel_random_walkers_share_one_key(key, x0):
    def walk(k, x):
        return x + jnp.cumsum(jax.random.normal(k, (10,)))

    return jax.vmap(walk)(key, x0)


@case(
    "KeyReuseError",
    "jax.random.uniform(key)",
    ("split",),
    "key-reuse",
    (KEY, jnp.array([0.3, -0.2])),
    via="call",
    context=lambda: jax.debug_key_reuse(True),
)
def metropolis_step_one_key_for_both(key, x):
    proposal = x + 0.3 * jax.random.normal(key, x.shape)
    accept = jnp.log(jax.random.uniform(key)) < 0.5 * jnp.sum(x**2 - proposal**2)
    return jnp.where(accept, proposal, x)


@case(
    "OverflowError",
    "s = (1664525 * s + 1013904223) % 2**32",
    ("uint32|x64",),
    "default-dtypes-x64",
    (jnp.uint32(12345),),
)
def hand_rolled_lcg_uniforms(state):
    def step(s, _):
        s = (1664525 * s + 1013904223) % 2**32
        return s, s / 2**32

    return lax.scan(step, state, None, length=8)[1]


@case(
    "TypeError",
    "jax.random.gamma(key, 2.0, (5,), scale=0.5)",
    ("* 0.5|0.5 *|multiply|* scale|scale *",),
    "samplers",
    (KEY,),
)
def waiting_times_with_numpy_scale(key):
    return jax.random.gamma(key, 2.0, (5,), scale=0.5)


# --- Gaussian processes ---------------------------------------------------------------------------
@case(
    "TypeError",
    "return k + 1e-6 * jnp.eye(x.shape)",
    ("shape[0]|len(",),
    "array-creation",
    (jnp.array([[0.0, 0.1], [0.4, 0.2], [1.0, 0.9], [1.5, 1.1]]),),
)
def rbf_kernel_with_jitter(x):
    sq = jnp.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=-1)
    k = jnp.exp(-0.5 * sq)
    return k + 1e-6 * jnp.eye(x.shape)


@case(
    "ConcretizationTypeError",
    'print(f"nll = {float(nll):.3f}")',
    ("jax.debug.print",),
    "debug-print",
    (jnp.array([0.3, -0.1, 0.5]), jnp.eye(3)),
)
def gp_negative_log_likelihood_logged(y, chol):
    alpha = jax.scipy.linalg.cho_solve((chol, True), y)
    nll = 0.5 * y @ alpha + jnp.sum(jnp.log(jnp.diag(chol)))
    print(f"nll = {float(nll):.3f}")
    return nll


# --- Jacobians of physical models and complex numbers ---------------------------------------------
@case(
    "TypeError",
    "jax.grad(amplitude)(0.3)",
    ("holomorphic=True|jnp.abs|.real",),
    "grad",
    (1.5,),
)
def slope_of_wavepacket_amplitude(k):
    def amplitude(x):
        return jnp.exp(1j * k * x) * jnp.exp(-(x**2))

    return jax.grad(amplitude)(0.3)


@case(
    "TypeError",
    "jax.jvp(displacement, (x,), (jnp.array([1, 0, 0]),))",
    ("1.0|float|astype",),
    "jvp",
    Y0,
)
def strain_along_first_axis(x):
    def displacement(p):
        return jnp.sin(p) * p

    return jax.jvp(displacement, (x,), (jnp.array([1, 0, 0]),))


@case(
    "ValueError",
    "jnp.clip(field, -1.0, 1.0)",
    ("jnp.abs|.real|jnp.exp(1j|jnp.angle",),
    "jax-numpy",
    (jnp.array([0.5 + 0.5j, 1.5 - 0.2j, -2.0 + 1.0j]),),
)
def saturate_complex_field(field):
    return jnp.clip(field, -1.0, 1.0)


# --- checkpointing long scans ---------------------------------------------------------------------
@case(
    "TypeError",
    "xt, _ = lax.scan(step_ck, x0, None, length=100)",
    ("jax.checkpoint_policies|checkpoint_policies.",),
    "checkpoint",
    (jnp.array([0.1, -0.3, 0.7]),),
)
def remat_long_rollout_policy_by_name(x0):
    def step(x, _):
        return jnp.tanh(1.1 * x), None

    def loss(x0):
        step_ck = jax.checkpoint(step, policy="nothing_saveable")
        xt, _ = lax.scan(step_ck, x0, None, length=100)
        return jnp.sum(xt**2)

    return jax.grad(loss)(x0)


# --- silent sharp bits ----------------------------------------------------------------------------
T = "trace-time-side-effects"
_RHS_CALLS = {"n": 0}
_SIMPSON_WEIGHTS = jnp.array([1.0, 4.0, 2.0, 4.0, 1.0]) / 12.0
_DT_SCHEDULE = iter([0.1, 0.05, 0.025, 0.0125])


@sharp("print", 'print("heun predictor", y_pred)', T, OSC)
def heun_with_predictor_print(y0):
    def f(y):
        return jnp.stack([y[1], -y[0]])

    def step(y, _):
        y_pred = y + 0.1 * f(y)
        print("heun predictor", y_pred)
        y = y + 0.05 * (f(y) + f(y_pred))
        return y, y

    return lax.scan(step, y0, None, length=30)[1]


@sharp("side-effect", '_RHS_CALLS["n"] += 1', T, Y0)
def euler_counting_rhs_evaluations(y0):
    def rhs(y):
        _RHS_CALLS["n"] += 1
        return -0.5 * y

    return lax.fori_loop(0, 100, lambda i, y: y + 0.01 * rhs(y), y0)


@sharp("out-of-bounds", "u.at[n].set(0.0)", "out-of-bounds", (jnp.linspace(0.0, 1.0, 6),))
def dirichlet_right_boundary_past_end(u):
    n = u.shape[0]
    u = u.at[0].set(0.0)
    u = u.at[n].set(0.0)
    return u


@sharp(
    "constant",
    "jnp.dot(_SIMPSON_WEIGHTS, integrand)",
    "closed-over-constants",
    (jnp.linspace(0.0, 1.0, 5),),
)
def simpson_rule_on_five_points(x):
    integrand = jnp.exp(-(x**2))
    return jnp.dot(_SIMPSON_WEIGHTS, integrand)


@sharp("iterator", "next(_DT_SCHEDULE)", T, Y0)
def euler_with_shrinking_step_sizes(y0):
    return lax.fori_loop(0, 4, lambda i, y: y - next(_DT_SCHEDULE) * y**3, y0)


@sharp("unrolled", "for _ in range(200):", "loops-compile-time", OSC)
def symplectic_euler_unrolled(y):
    q, p = y[0], y[1]
    for _ in range(200):
        p = p - 0.01 * q
        q = q + 0.01 * p
    return jnp.stack([q, p])


@sharp(
    "static",
    "y = y - dt * y**3",
    "retracing",
    Y0,
    kwargs={"dt": 0.01},
    static_argnames=("dt",),
)
def damped_step_with_static_dt(y, dt):
    y = y - dt * y**3
    return y
