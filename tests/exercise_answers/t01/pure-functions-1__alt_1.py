import jax


def scaled_sum(x, scale):
    jax.debug.print("x = {x}", x=x)
    return (x * scale).sum()
