import jax


def two_samples(key):
    a, b = jax.random.normal(key, (2, 3))
    return a, b
