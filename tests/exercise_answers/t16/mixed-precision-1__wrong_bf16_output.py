"""Without `preferred_element_type=jnp.float32` the product of two bfloat16 arrays is bfloat16, and
so is its accumulation. Ask for float32: `jnp.dot(a16, b16,
preferred_element_type=jnp.float32)`.
"""

import jax.numpy as jnp


def bf16_matmul(a, b):
    return a.astype(jnp.bfloat16) @ b.astype(jnp.bfloat16)
