"""An f-string is formatted right away, while tracing, so it bakes the tracer's text into the
message. Pass the value as an argument instead: `jax.debug.print("x = {}", x)`.
"""

import jax


def show_and_square(x):
    jax.debug.print(f"x = {x}")
    return x**2
