"""nnx.state(model) holds every variable: the trainable nnx.Param arrays but also BatchNorm's
running statistics (nnx.BatchStat) and the Dropout RNG state. Count only the parameters:
`nnx.state(model, nnx.Param)`.
"""

import jax
from flax import nnx


def count_params(model):
    return sum(x.size for x in jax.tree.leaves(nnx.state(model)))
