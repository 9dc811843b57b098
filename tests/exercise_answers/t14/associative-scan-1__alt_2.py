import jax


def linear_recurrence(a, b):
    return jax.jit(
        lambda a, b: jax.lax.associative_scan(
            lambda p, q: (p[0] * q[0], q[0] * p[1] + q[1]), (a, b)
        )[1]
    )(a, b)
