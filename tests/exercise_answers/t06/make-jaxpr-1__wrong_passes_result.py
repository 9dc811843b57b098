"""make_jaxpr takes the function, not its result: `jax.make_jaxpr(f)(*args)`, not
`jax.make_jaxpr(f(*args))`.
"""

import jax


def primitive_names(f, *args):
    closed = jax.make_jaxpr(f(*args))()
    return [eqn.primitive.name for eqn in closed.jaxpr.eqns]
