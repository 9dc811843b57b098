"""wrap NumPy's np.maximum.accumulate in jax.pure_callback"""

import jax


def running_max(x):
    return jax.lax.cummax(x)
