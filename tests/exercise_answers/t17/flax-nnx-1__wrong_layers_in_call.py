"""Layers made inside `__call__` are new, freshly initialised layers on every call, and the module
holds none of them, so there is nothing to train. Create them in `__init__` and keep them as
attributes (`self.hidden = nnx.Linear(...)`).
"""

from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.sizes = (din, dhidden, dout)

    def __call__(self, x):
        din, dh, dout = self.sizes
        rngs = nnx.Rngs(0)
        h = nnx.relu(nnx.Linear(din, dh, rngs=rngs)(x))
        return nnx.Linear(dh, dout, rngs=rngs)(h)
