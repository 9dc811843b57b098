"""Make exactly two `nnx.Linear` layers, din→dhidden and dhidden→dout, each with its bias (the
default: no `use_bias=False`).
"""

from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, use_bias=False, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, use_bias=False, rngs=rngs)

    def __call__(self, x):
        return self.out(nnx.relu(self.hidden(x)))
