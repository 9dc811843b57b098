import jax
import jax.numpy as jnp


def device_sums(x):
    n = jax.local_device_count()
    return jax.pmap(lambda row: row.sum(), axis_name="d")(jnp.reshape(x, (n, -1)))
