"""The output differs from `out(relu(hidden(x)))` computed with your model's own kernels and
biases: apply the first layer, `nnx.relu`, then the second layer, and nothing else.
"""

from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(nnx.sigmoid(self.hidden(x)))
