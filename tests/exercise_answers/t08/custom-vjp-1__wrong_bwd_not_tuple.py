"""A custom_vjp backward rule returns a tuple with one cotangent per input of the function: `return
(-g,)`, not `return -g`.
"""

import jax


@jax.custom_vjp
def reverse_grad(x):
    return x


reverse_grad.defvjp(lambda x: (x, None), lambda res, g: -g)
