"""The rate must start at 0 and rise linearly to the peak over the warmup steps:
`optax.warmup_cosine_decay_schedule(0.0, peak, warmup, total)`.
"""

import optax


def make_schedule(peak, warmup, total):
    return optax.cosine_decay_schedule(peak, total)
