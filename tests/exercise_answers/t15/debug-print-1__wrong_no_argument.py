"""jax.debug.print formats its message like str.format: x needs both a placeholder `{}` in the text
and an argument to fill it, `jax.debug.print("x = {}", x)`.
"""

import jax


def show_and_square(x):
    jax.debug.print("x = {}")
    return x**2
