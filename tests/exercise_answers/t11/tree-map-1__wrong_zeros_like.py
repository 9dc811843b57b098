"""jax.tree.map(f, tree) calls f on every leaf and rebuilds the same structure."""

import jax
import jax.numpy as jnp


def to_bf16(tree):
    def cast(x):
        if jnp.issubdtype(x.dtype, jnp.floating):
            return jnp.zeros_like(x, dtype=jnp.bfloat16)
        return x

    return jax.tree.map(cast, tree)
