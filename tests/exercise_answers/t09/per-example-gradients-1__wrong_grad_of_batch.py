"""grad needs a scalar loss, and the batch of losses is a vector. Differentiate the loss of ONE
example and vmap the gradient over the batch.
"""

import jax


def per_example_grads(params, xs, ys):
    return jax.grad(lambda p: (xs @ p["w"] + p["b"] - ys) ** 2)(params)
