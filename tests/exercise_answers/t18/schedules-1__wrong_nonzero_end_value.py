"""optax.warmup_cosine_decay_schedule does exactly this; read what decay_steps means."""

import optax


def make_schedule(peak, warmup, total):
    return optax.warmup_cosine_decay_schedule(0.0, peak, warmup, total, end_value=1e-6)
