import jax
import jax.numpy as jnp


def global_norm(tree):
    flat = jnp.concatenate([jnp.ravel(x) for x in jax.tree.leaves(tree)])
    return jnp.linalg.norm(flat)
