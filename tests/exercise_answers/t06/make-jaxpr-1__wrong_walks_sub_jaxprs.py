"""Only the top-level equations count: a nested `jax.jit` is one equation named 'jit'; don't walk
into the sub-jaxpr it holds.
"""

import jax


def primitive_names(f, *args):
    def walk(jaxpr):
        names = []
        for eqn in jaxpr.eqns:
            names.append(eqn.primitive.name)
            for p in eqn.params.values():
                inner = getattr(p, "jaxpr", p)
                if hasattr(inner, "eqns"):
                    names += walk(inner)
        return names

    return walk(jax.make_jaxpr(f)(*args).jaxpr)
