import jax


def primitive_names(f, *args):
    return tuple(eqn.primitive.name for eqn in jax.make_jaxpr(f)(*args).jaxpr.eqns)
