import jax
import jax.numpy as jnp


def eval_metrics(params, x, labels):
    logits = x @ params["w"] + params["b"]
    logp = jax.nn.log_softmax(logits)
    loss = -jnp.take_along_axis(logp, labels[:, None], axis=1).mean()
    accuracy = (logits.argmax(-1) == labels).astype(jnp.float32).mean()
    return {"loss": loss, "accuracy": accuracy}
