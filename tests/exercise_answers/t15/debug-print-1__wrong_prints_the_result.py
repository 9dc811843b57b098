"""Your message shows numbers, but not those of x: print x itself, `jax.debug.print("x = {}", x)`,
not the result or another value.
"""

import jax


def show_and_square(x):
    jax.debug.print("x = {}", x**2)
    return x**2
