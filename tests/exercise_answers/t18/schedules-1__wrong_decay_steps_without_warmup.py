"""In warmup_cosine_decay_schedule, decay_steps counts the whole schedule, warmup included: pass
`decay_steps=total`, not `total - warmup`.
"""

import optax


def make_schedule(peak, warmup, total):
    return optax.warmup_cosine_decay_schedule(0.0, peak, warmup, total - warmup)
