"""Accuracy is the fraction of correct predictions: `jnp.mean(pred == labels)`, not the count
`jnp.sum(...)`.
"""

import jax.numpy as jnp
import optax


def eval_metrics(params, x, labels):
    logits = x @ params["w"] + params["b"]
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    accuracy = jnp.sum(jnp.argmax(logits, axis=-1) == labels)
    return {"loss": loss, "accuracy": accuracy}
