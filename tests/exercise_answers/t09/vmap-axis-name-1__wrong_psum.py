"""psum adds the examples up; you need their mean: `jax.lax.pmean(x, 'batch')` (or psum divided by
`jax.lax.psum(1, 'batch')`).
"""

import jax


def centre(x):
    return x - jax.lax.psum(x, axis_name="batch")
