"""A plain `print` runs while JAX traces, once, and shows a tracer; later jitted calls print
nothing. `jax.debug.print("x = {}", x)` runs every time the compiled code runs.
"""


def show_and_square(x):
    print("x =", x)
    return x**2
