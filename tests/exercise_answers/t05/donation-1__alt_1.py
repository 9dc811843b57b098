import jax


def _sgd_step(params, grads, lr):
    return params - lr * grads


sgd_step = jax.jit(_sgd_step, donate_argnames="params")
