"""Optax losses return one value per example; jax.grad needs one number. Take the mean:
`optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()`.
"""

import optax


def mean_xent(logits, labels):
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels)
