"""A strongly typed float32 operand (jnp.float32(0.5), np.float32, a NumPy array) or a cast with
.astype(jnp.float32) turns a bfloat16 or float16 input into float32. Multiply by a plain Python
float: it is weakly typed and takes the input's dtype.
"""

import jax.numpy as jnp


def halve(x):
    return x.astype(jnp.float32) / 2
