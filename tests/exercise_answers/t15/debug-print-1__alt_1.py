import jax


def show_and_square(x):
    jax.debug.print("x = {x}", x=x)
    return x * x
