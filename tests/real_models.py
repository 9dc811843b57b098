"""Real models built from the installed libraries, with random weights, for tests and benchmarks.

Each builder returns ``(fn, args, n_params)``: a function of arrays only (the weights are closed
over, as in the everyday ``jax.jit(lambda x: model(x))``), example arguments and the number of
model parameters. ``size="small"`` keeps tests fast; ``size="big"`` is what ``benchmarks/run.py``
measures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

SIZES = ("small", "big")


def _n_params(tree: Any) -> int:
    return int(sum(np.size(x) for x in jax.tree.leaves(tree) if hasattr(x, "shape")))


def _check(size: str) -> bool:
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    return size == "big"


def nnx_transformer(size: str = "small"):
    """A Flax NNX transformer LM: embedding, pre-norm attention + MLP blocks, tied-free head."""
    from flax import nnx

    big = _check(size)
    vocab, dim, heads, blocks, seq = (1024, 256, 4, 8, 64) if big else (64, 32, 2, 2, 8)

    class Block(nnx.Module):
        def __init__(self, rngs: nnx.Rngs):
            self.norm1 = nnx.LayerNorm(dim, rngs=rngs)
            self.attn = nnx.MultiHeadAttention(heads, dim, decode=False, rngs=rngs)
            self.norm2 = nnx.LayerNorm(dim, rngs=rngs)
            self.up = nnx.Linear(dim, 4 * dim, rngs=rngs)
            self.down = nnx.Linear(4 * dim, dim, rngs=rngs)

        def __call__(self, x):
            h = self.norm1(x)
            x = x + self.attn(h, h, h, mask=nnx.make_causal_mask(x[..., 0]))
            return x + self.down(jax.nn.gelu(self.up(self.norm2(x))))

    class LM(nnx.Module):
        def __init__(self, rngs: nnx.Rngs):
            self.embed = nnx.Embed(vocab, dim, rngs=rngs)
            self.blocks = nnx.List([Block(rngs) for _ in range(blocks)])
            self.norm = nnx.LayerNorm(dim, rngs=rngs)
            self.head = nnx.Linear(dim, vocab, rngs=rngs)

        def __call__(self, tokens):
            x = self.embed(tokens)
            for block in self.blocks:
                x = block(x)
            return self.head(self.norm(x))

    model = LM(nnx.Rngs(0))
    tokens = jnp.zeros((2, seq), jnp.int32)
    return (lambda t: model(t)), (tokens,), _n_params(nnx.state(model, nnx.Param))


def linen_resnet(size: str = "small"):
    """A Flax Linen ResNet with batch norm (inference mode: running statistics)."""
    import flax.linen as nn

    big = _check(size)
    widths, hw = ((32, 64, 128), 32) if big else ((8, 16), 8)

    class Res(nn.Module):
        width: int
        stride: int

        @nn.compact
        def __call__(self, x):
            y = nn.Conv(self.width, (3, 3), (self.stride, self.stride))(x)
            y = nn.relu(nn.BatchNorm(use_running_average=True)(y))
            y = nn.Conv(self.width, (3, 3))(y)
            y = nn.BatchNorm(use_running_average=True)(y)
            if x.shape != y.shape:
                x = nn.Conv(self.width, (1, 1), (self.stride, self.stride))(x)
            return nn.relu(x + y)

    class ResNet(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.Conv(widths[0], (3, 3))(x)
            for i, w in enumerate(widths):
                x = Res(w, 1 if i == 0 else 2)(x)
                x = Res(w, 1)(x)
            return nn.Dense(10)(x.mean(axis=(1, 2)))

    net = ResNet()
    x = jnp.zeros((2, hw, hw, 3))
    variables = net.init(jax.random.key(0), x)
    return (lambda x: net.apply(variables, x)), (x,), _n_params(variables["params"])


def equinox_attention(size: str = "small"):
    """An Equinox self-attention block with layer norm and an MLP, vmapped over the sequence."""
    import equinox as eqx

    big = _check(size)
    dim, heads, seq = (256, 8, 128) if big else (16, 2, 8)
    k1, k2 = jax.random.split(jax.random.key(0))

    class Block(eqx.Module):
        attn: eqx.nn.MultiheadAttention
        norm: eqx.nn.LayerNorm
        mlp: eqx.nn.MLP

        def __init__(self):
            self.attn = eqx.nn.MultiheadAttention(heads, dim, key=k1)
            self.norm = eqx.nn.LayerNorm(dim)
            self.mlp = eqx.nn.MLP(dim, dim, 4 * dim, 1, key=k2)

        def __call__(self, x):
            h = jax.vmap(self.norm)(x)
            x = x + self.attn(h, h, h)
            return x + jax.vmap(self.mlp)(jax.vmap(self.norm)(x))

    block = Block()
    x = jnp.zeros((seq, dim))
    return (lambda x: block(x)), (x,), _n_params(eqx.filter(block, eqx.is_array))


def haiku_mlp(size: str = "small"):
    """A Haiku MLP (``hk.nets.MLP``) through ``hk.transform``."""
    import haiku as hk

    big = _check(size)
    widths, dim = ((1024, 1024, 1024, 10), 784) if big else ((32, 32, 10), 16)
    net = hk.without_apply_rng(hk.transform(lambda x: hk.nets.MLP(widths)(x)))
    x = jnp.zeros((8, dim))
    params = net.init(jax.random.key(0), x)
    return (lambda x: net.apply(params, x)), (x,), _n_params(params)


def optax_step(size: str = "small"):
    """One Optax adamw training step of the NNX transformer LM (loss, grad, update)."""
    import optax
    from flax import nnx

    fn, (tokens,), n = nnx_transformer(size)
    model = fn.__closure__[0].cell_contents  # the LM the forward function closes over
    graphdef, params = nnx.split(model, nnx.Param)
    tx = optax.adamw(1e-3)
    opt_state = tx.init(params)

    def step(params, opt_state, tokens):
        def loss(p):
            logits = nnx.merge(graphdef, p)(tokens)
            return optax.softmax_cross_entropy_with_integer_labels(logits, tokens).mean()

        value, grads = jax.value_and_grad(loss)(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, value

    return step, (params, opt_state, tokens), n


def scan_rnn(size: str = "small"):
    """An Elman RNN over a sequence with ``lax.scan``, weights closed over."""
    big = _check(size)
    dim, steps = (512, 256) if big else (16, 10)
    k1, k2 = jax.random.split(jax.random.key(0))
    w = jax.random.normal(k1, (dim, dim)) * 0.1
    u = jax.random.normal(k2, (dim, dim)) * 0.1

    def rnn(xs):
        def cell(h, x):
            h = jnp.tanh(h @ w + x @ u)
            return h, h

        return jax.lax.scan(cell, jnp.zeros(dim), xs)[1]

    return rnn, (jnp.zeros((steps, dim)),), int(w.size + u.size)


MODELS: dict[str, Callable[..., tuple[Callable, tuple, int]]] = {
    "nnx_transformer": nnx_transformer,
    "linen_resnet": linen_resnet,
    "equinox_attention": equinox_attention,
    "haiku_mlp": haiku_mlp,
    "optax_adamw_step": optax_step,
    "scan_rnn": scan_rnn,
}
