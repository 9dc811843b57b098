"""return a dict with the keys 'loss' and 'accuracy'"""

import jax.numpy as jnp
import optax


def eval_metrics(params, x, labels):
    logits = x @ params["w"] + params["b"]
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    accuracy = jnp.mean(jnp.argmax(logits, axis=-1) == labels)
    return loss, accuracy
