"""Your count came back as a float: `count + 1.0` turned the int counter into a float. Keep the
carry's dtypes fixed: start from `0` and add `1`.
"""

import jax


def doublings(x, limit):
    return jax.lax.while_loop(lambda s: s[0] < limit, lambda s: (s[0] * 2, s[1] + 1.0), (x, 0))[1]
