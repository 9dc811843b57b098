"""Programs the linked chain of js.hlo is measured on, written here in the style of the JAX docs
(control flow, custom rules, transformations, convolutions, PRNG, linear algebra).

``TUNED`` was looked at while the chain was built (its layout copies showed that an instruction
XLA adds itself must take its rows from the instructions it feeds); ``HELD_OUT`` was written
afterwards and run once, unchanged.
"""

import jax
import jax.numpy as jnp
from jax import lax


def p_cond(x):
    return lax.cond(x.sum() > 0, lambda v: jnp.sin(v), lambda v: jnp.cos(v) * 2, x)


def p_switch(i, x):
    return lax.switch(i, [lambda v: v + 1, lambda v: v * v, lambda v: -v], x)


def p_fori(x):
    return lax.fori_loop(0, 5, lambda i, c: c * 0.5 + jnp.tanh(c), x)


def p_while(x):
    return lax.while_loop(lambda c: c[0] < 10, lambda c: (c[0] + 1, c[1] * 1.1), (0, x))[1]


@jax.custom_vjp
def clip_grad(x):
    return x


clip_grad.defvjp(lambda x: (x, None), lambda _, g: (jnp.clip(g, -1, 1),))


def p_custom_vjp(x):
    return jnp.sum(clip_grad(x) ** 3)


def p_vmap_matmul(a, b):
    return jax.vmap(lambda u, v: jnp.dot(u, v) + 1.0)(a, b)


def p_conv(img, k):
    y = lax.conv_general_dilated(img, k, (1, 1), "SAME")
    return lax.reduce_window(y, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def p_softmax_xent(logits, labels):
    logp = jax.nn.log_softmax(logits)
    return -jnp.mean(jnp.take_along_axis(logp, labels[:, None], axis=1))


def p_random(key, x):
    k1, k2 = jax.random.split(key)
    noise = jax.random.normal(k1, x.shape)
    mask = jax.random.bernoulli(k2, 0.5, x.shape)
    return jnp.where(mask, x + noise, 0.0)


def p_sort_cumsum(x):
    s = jnp.sort(x)
    return jnp.cumsum(s) / jnp.arange(1, x.shape[0] + 1)


def p_linalg(a):
    q, r = jnp.linalg.qr(a)
    return jnp.trace(r) + jnp.linalg.norm(q)


def p_grad_of_remat(w, x):
    def layer(w, x):
        return jnp.tanh(x @ w)

    f = jax.checkpoint(layer, policy=jax.checkpoint_policies.nothing_saveable)
    return jax.grad(lambda w: jnp.sum(f(w, f(w, x))))(w)


TUNED = {
    "cond": (p_cond, (jnp.ones(4),)),
    "switch": (p_switch, (1, jnp.ones(4))),
    "fori": (p_fori, (jnp.ones(4),)),
    "while": (p_while, (jnp.ones(4),)),
    "custom_vjp_grad": (jax.grad(p_custom_vjp), (jnp.ones(4),)),
    "vmap_matmul": (p_vmap_matmul, (jnp.ones((3, 4, 5)), jnp.ones((3, 5, 2)))),
    "conv_pool": (p_conv, (jnp.ones((1, 3, 8, 8)), jnp.ones((4, 3, 3, 3)))),
    "softmax_xent": (p_softmax_xent, (jnp.ones((4, 10)), jnp.arange(4))),
    "random": (p_random, (jax.random.key(0), jnp.ones(6))),
    "sort_cumsum": (p_sort_cumsum, (jnp.arange(6.0)[::-1],)),
    "linalg": (p_linalg, (jnp.eye(4) + 0.1,)),
    "grad_of_remat": (p_grad_of_remat, (jnp.ones((4, 4)) * 0.1, jnp.ones((2, 4)))),
}


def q_layernorm_grad(x, g):
    def ln(x):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return g * (x - m) * lax.rsqrt(v + 1e-5)

    return jax.grad(lambda x: ln(x).sum())(x)


def q_attention(q, k, v):
    with jax.named_scope("attn"):
        s = jnp.einsum("qd,kd->qk", q, k) / jnp.sqrt(q.shape[-1])
        w = jax.nn.softmax(s, axis=-1)
    return w @ v


def q_scan_cumprod(xs):
    return lax.associative_scan(jnp.multiply, xs)


def q_jvp(x):
    return jax.jvp(lambda v: jnp.sin(v) * jnp.exp(v), (x,), (jnp.ones_like(x),))[1]


def q_hessian(x):
    return jax.hessian(lambda v: jnp.sum(v**3 * jnp.cos(v)))(x)


def q_dynamic_slice(x, i):
    return lax.dynamic_update_slice(x, lax.dynamic_slice(x, (i,), (2,)) * 10, (0,))


def q_int_ops(a, b):
    return (a // b) + (a % b) + jnp.left_shift(a, 1) + jnp.bitwise_and(a, b)


def q_nested_vmap(x):
    return jax.vmap(jax.vmap(lambda v: jnp.maximum(v, 0) ** 2))(x).sum()


HELD_OUT = {
    "layernorm_grad": (q_layernorm_grad, (jnp.ones((4, 8)), jnp.ones(8))),
    "attention": (q_attention, (jnp.ones((4, 8)), jnp.ones((6, 8)), jnp.ones((6, 8)))),
    "assoc_scan": (q_scan_cumprod, (jnp.arange(1.0, 9.0),)),
    "jvp": (q_jvp, (jnp.ones(5),)),
    "hessian": (q_hessian, (jnp.ones(3),)),
    "dynamic_slice": (q_dynamic_slice, (jnp.arange(8.0), 3)),
    "int_ops": (q_int_ops, (jnp.arange(1, 9), jnp.arange(2, 10))),
    "nested_vmap": (q_nested_vmap, (jnp.ones((3, 4, 5)),)),
}
