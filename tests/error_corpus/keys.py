"""Snippets that reuse a PRNG key (with JAX's key-reuse checker on) or misuse the random API."""

import jax
import jax.numpy as jnp

from . import case

K = (jax.random.key(0),)


def _checker():
    return jax.debug_key_reuse(True)


@case(
    "KeyReuseError",
    "jax.random.uniform(key",
    ("jax.random.split",),
    "key-reuse",
    K,
    context=_checker,
)
def two_draws(key):
    a = jax.random.normal(key, (3,))
    b = jax.random.uniform(key, (3,))
    return a + b


@case(
    "KeyReuseError", "jax.random.split(key)", ("split", "before"), "key-reuse", K, context=_checker
)
def split_after_use(key):
    x = jax.random.normal(key)
    k1, k2 = jax.random.split(key)
    return x + jax.random.normal(k1)


@case(
    "KeyReuseError",
    "jax.random.bernoulli(key",
    ("jax.random.split",),
    "key-reuse",
    K,
    context=_checker,
)
def noise_and_mask(key):
    noise = jax.random.normal(key, (4,))
    mask = jax.random.bernoulli(key, 0.5, (4,))
    return jnp.where(mask, noise, 0.0)


@case(
    "KeyReuseError",
    "jax.random.normal(key)",
    ("jax.random.split",),
    "key-reuse",
    K,
    context=_checker,
)
def reuse_in_loop(key):
    total = 0.0
    for _ in range(3):
        total = total + jax.random.normal(key)
    return total


@case("TypeError", "jax.random.normal(0, (3,))", ("jax.random.key",), "random-key", ())
def int_seed_as_key():
    return jax.random.normal(0, (3,))


@case(
    "KeyReuseError",
    "jax.random.normal(key, (2,))",
    ("jax.random.split",),
    "key-reuse",
    K,
    context=_checker,
)
def draw_then_pass_on(key):
    def init(k):
        return jax.random.normal(k, (2,))

    w = init(key)
    b = jax.random.normal(key, (2,))
    return w + b
