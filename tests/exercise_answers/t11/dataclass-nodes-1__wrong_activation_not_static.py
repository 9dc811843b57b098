"""`activation` is a string, so it cannot be a leaf: jit refuses it and grad cannot differentiate
it. Mark it static: `activation: str = dataclasses.field(default='relu', metadata={'static':
True})`.
"""

import dataclasses

import jax


@jax.tree_util.register_dataclass
@dataclasses.dataclass
class Dense:
    w: jax.Array
    b: jax.Array
    activation: str = "relu"
