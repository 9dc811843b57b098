"""Keep one name per equation, repeats included: f computes `sin` twice, so 'sin' appears twice."""

import jax


def primitive_names(f, *args):
    eqns = jax.make_jaxpr(f)(*args).jaxpr.eqns
    return list(dict.fromkeys(eqn.primitive.name for eqn in eqns))
