"""Your step keeps its state in global variables: under jit a global is read once, when JAX traces,
so the count stops moving. Keep everything in `state` and return a new state.
"""

import jax.numpy as jnp

count = 0
total = 0.0


def step(state, x):
    global count, total
    count = count + 1
    total = total + jnp.sum(x)
    return {"count": jnp.int32(count), "total": total}
