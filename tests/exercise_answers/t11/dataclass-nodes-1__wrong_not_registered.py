"""A plain dataclass is one opaque leaf to JAX. Decorate it with @jax.tree_util.register_dataclass
(above @dataclasses.dataclass).
"""

import dataclasses

import jax


@dataclasses.dataclass
class Dense:
    w: jax.Array
    b: jax.Array
    activation: str = dataclasses.field(default="relu", metadata={"static": True})
