"""NumPy needs real numbers, which do not exist while JAX traces the function (np.asarray, np.*
functions, .tolist()). Use jax.numpy instead of numpy here
"""

import numpy as np
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(np.maximum(self.hidden(x), 0))
