"""Without an activation between them, two Linear layers collapse into one linear map. Apply
`nnx.relu` to the hidden layer's output before the output layer.
"""

from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.out(self.hidden(x))
