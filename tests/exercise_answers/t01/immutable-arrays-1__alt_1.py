import jax

set_first = jax.jit(lambda x, v: x.at[0].set(v))
