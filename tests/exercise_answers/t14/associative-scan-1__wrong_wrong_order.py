"""The combine must apply the earlier step first: for (a1, b1) then (a2, b2) the result is `(a1 *
a2, a2 * b1 + b2)`. Your version scales the wrong b.
"""

import jax


def linear_recurrence(a, b):
    def combine(left, right):
        a1, b1 = left
        a2, b2 = right
        return a1 * a2, a1 * b2 + b1

    return jax.lax.associative_scan(combine, (a, b))[1]
