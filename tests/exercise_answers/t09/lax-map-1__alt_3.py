import jax
import jax.numpy as jnp


def features(x):
    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)


def chunked_features(xs):
    chunks = xs.reshape(10, 100, xs.shape[1])
    return jax.lax.map(jax.vmap(features), chunks).reshape(xs.shape)
