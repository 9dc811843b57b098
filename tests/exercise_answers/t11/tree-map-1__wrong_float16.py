"""Cast floating leaves to jnp.bfloat16 exactly: float16 is a different 16-bit format (fewer
exponent bits, so large values overflow). x.astype(jnp.bfloat16).
"""

import jax
import jax.numpy as jnp


def to_bf16(tree):
    def cast(x):
        if jnp.issubdtype(x.dtype, jnp.floating):
            return x.astype(jnp.float16)
        return x

    return jax.tree.map(cast, tree)
