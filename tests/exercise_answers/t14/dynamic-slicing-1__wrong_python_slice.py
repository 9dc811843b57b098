"""Python slicing `x[i:i + 3]` needs concrete integers, and under jit `i` is a tracer.
`lax.dynamic_slice(x, (i,), (3,))` takes a traced start and a static size.
"""


def window3(x, i):
    return x[i : i + 3]
