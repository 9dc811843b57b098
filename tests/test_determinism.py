"""Every view's text and HTML are the same bytes in fresh processes with different hash seeds."""

import hashlib
import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import hashlib, json
    import jax, jax.numpy as jnp
    from jax.sharding import NamedSharding, PartitionSpec as P
    import jaxscope as js

    def f(x, n):
        y = jnp.sin(x) * n
        return jax.lax.cond(y.sum() > 0, lambda v: v + 1, lambda v: v - 1, y)

    def draws(key):
        k1, k2 = jax.random.split(key)
        return jax.random.normal(k1, (2,)) + jax.random.uniform(k1, (2,)) * jax.random.normal(k2)

    def broken(x):
        return jnp.sin(x) + jnp.ones(4)

    x = jnp.arange(3.0)
    mesh = jax.make_mesh((1,), ("data",))
    placed = jax.device_put(jnp.ones((4, 2)), NamedSharding(mesh, P("data")))
    tree = {"b": [x, None, (1, "s")], "a": {"key": jax.random.key(0), "w": jnp.ones((2, 3))}}
    views = {
        "device_info": js.device_info(),
        "device_info-short": js.device_info(short=True),
        "jaxpr": js.jaxpr(f, x, 2.0),
        "jaxpr-grad": js.jaxpr(jax.grad(lambda x: f(x, 2.0).sum()), x),
        "trace": js.trace(f, x, 2, static_argnums=1),
        "trace-error": js.trace(broken, x),
        "hlo": js.hlo(f, x, 2.0),
        "key_tree": js.key_tree(draws, jax.random.key(0)),
        "transforms": js.transforms(lambda v: jnp.sin(v) * v, 1.5, chain=("grad", "jit", "vmap")),
        "pytree": js.pytree(tree),
        "sharding": js.sharding(x),
        "sharding-mesh": js.sharding(placed),
        "cheatsheet": js.cheatsheet.table(1),
        "explorer": js.cheatsheet.explorer("split a key"),
        "check": js.check("t01-pure-functions-1", lambda *a, **k: 0),
        "error-panel": js.jaxpr(broken, x),
    }
    out = {k: hashlib.sha256((v.text() + "\\0" + v.html()).encode()).hexdigest()
           for k, v in views.items()}
    print(json.dumps(out, sort_keys=True))
    """
)


def _run(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    for name in ("JAXSCOPE_STRICT", "JAXSCOPE_PROGRESS_FILE"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_views_are_byte_identical_across_processes_and_hash_seeds():
    first, second = _run("0"), _run("12345")
    a, b = json.loads(first), json.loads(second)
    assert len(a) == 16
    assert [k for k in a if a[k] != b.get(k)] == []
    assert hashlib.sha256(first.encode()).hexdigest()
