"""return the schedule, a function of the step count"""

import optax


def make_schedule(peak, warmup, total):
    schedule = optax.warmup_cosine_decay_schedule(0.0, peak, warmup, total)
    return optax.sgd(learning_rate=schedule)
