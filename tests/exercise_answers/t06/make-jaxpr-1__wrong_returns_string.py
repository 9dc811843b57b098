"""return a list of strings, one per top-level equation"""

import jax


def primitive_names(f, *args):
    closed = jax.make_jaxpr(f)(*args)
    return " ".join(eqn.primitive.name for eqn in closed.jaxpr.eqns)
