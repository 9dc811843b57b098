import jax.numpy as jnp


def to_bf16(tree):
    if isinstance(tree, dict):
        return {k: to_bf16(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(to_bf16(v) for v in tree)
    if jnp.issubdtype(tree.dtype, jnp.floating):
        return tree.astype(jnp.bfloat16)
    return tree
