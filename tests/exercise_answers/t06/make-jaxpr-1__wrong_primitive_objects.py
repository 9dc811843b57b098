"""`eqn.primitive` is a Primitive object; its name is `eqn.primitive.name` (a string)."""

import jax


def primitive_names(f, *args):
    return [eqn.primitive for eqn in jax.make_jaxpr(f)(*args).jaxpr.eqns]
