"""`lax.associative_scan` returns the pair of prefixes (A, B): A (item [0]) is the running product
of a, and the h_t are B, item [1].
"""

import jax


def linear_recurrence(a, b):
    def combine(left, right):
        a1, b1 = left
        a2, b2 = right
        return a1 * a2, a2 * b1 + b2

    return jax.lax.associative_scan(combine, (a, b))[0]
