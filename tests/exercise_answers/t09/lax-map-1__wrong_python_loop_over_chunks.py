"""Your chunks are small enough, but a Python loop is unrolled while tracing: the program gets one
copy of the work per chunk. `jax.lax.map(features, xs, batch_size=100)` compiles one loop body
that runs on each chunk.
"""

import jax
import jax.numpy as jnp


def features(x):
    return jnp.tanh(jnp.outer(x, x)).sum(axis=0)


def chunked_features(xs):
    chunks = [jax.vmap(features)(xs[i : i + 100]) for i in range(0, len(xs), 100)]
    return jnp.concatenate(chunks)
