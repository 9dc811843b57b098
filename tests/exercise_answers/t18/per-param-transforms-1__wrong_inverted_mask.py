"""Your mask is the wrong way round: True marks the parameters that ARE decayed, so it must be True
for the matrices (ndim ≥ 2) and False for the biases.
"""

import jax
import optax


def make_adamw(lr, weight_decay):
    mask = lambda params: jax.tree.map(lambda x: x.ndim == 1, params)
    return optax.adamw(lr, weight_decay=weight_decay, mask=mask)
