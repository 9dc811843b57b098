"""optax.softmax_cross_entropy expects one-hot (or soft) labels of the logits' shape; for integer
class labels use `optax.softmax_cross_entropy_with_integer_labels`.
"""

import optax


def mean_xent(logits, labels):
    return optax.softmax_cross_entropy(logits, labels).mean()
