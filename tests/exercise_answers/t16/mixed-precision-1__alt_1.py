import jax
import jax.numpy as jnp


@jax.jit
def bf16_matmul(a, b):
    return jnp.dot(
        a.astype(jnp.bfloat16), b.astype(jnp.bfloat16), preferred_element_type=jnp.float32
    )
