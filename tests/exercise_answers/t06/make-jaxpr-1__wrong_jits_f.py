"""You traced a jitted version of f: its jaxpr is a single `jit` equation holding all the work.
Trace f itself: `jax.make_jaxpr(f)(*args)`.
"""

import jax


def primitive_names(f, *args):
    closed = jax.make_jaxpr(jax.jit(f))(*args)
    return [eqn.primitive.name for eqn in closed.jaxpr.eqns]
