"""len(jax.tree.leaves(...)) counts arrays, not numbers: a (4, 8) kernel is one leaf but 32
parameters. Add up `leaf.size`.
"""

import jax
from flax import nnx


def count_params(model):
    return len(jax.tree.leaves(nnx.state(model, nnx.Param)))
