"""A ring closes: the last device sends to device 0. Build the pairs with a modulo, [(i, (i + 1) %
n) for i in range(n)]; a device nobody sends to receives zeros.
"""

import jax


def shift_right(x):
    n = jax.lax.axis_size("ring")
    return jax.lax.ppermute(x, "ring", [(i, i + 1) for i in range(n - 1)])
