"""The contracting dimensions are `a`'s last (2) and `b`'s middle (1): `(((2,), (1,)), ((0,),
(0,)))`.
"""

import jax


def batched_matmul(a, b):
    return jax.lax.dot_general(a, b, (((1,), (1,)), ((0,), (0,))))
