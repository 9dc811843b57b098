"""Integer leaves (step counters, token ids) must stay integers: cast only leaves whose dtype is
floating, e.g. `jnp.issubdtype(x.dtype, jnp.floating)`.
"""

import jax
import jax.numpy as jnp


def to_bf16(tree):
    return jax.tree.map(lambda x: x.astype(jnp.bfloat16), tree)
