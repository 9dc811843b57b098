"""return one integer: the total number of trainable parameters"""

import jax
from flax import nnx


def count_params(model):
    return [x.size for x in jax.tree.leaves(nnx.state(model, nnx.Param))]
