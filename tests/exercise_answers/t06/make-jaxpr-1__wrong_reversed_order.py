"""The names are right but the order is not: keep the equations in the order of
`closed.jaxpr.eqns`, without sorting or reversing them.
"""

import jax


def primitive_names(f, *args):
    eqns = jax.make_jaxpr(f)(*args).jaxpr.eqns
    return [eqn.primitive.name for eqn in reversed(eqns)]
