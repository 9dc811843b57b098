"""Every view's text and HTML are the same bytes in fresh processes with different hash seeds."""

import hashlib
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import hashlib, json
    import jax, jax.numpy as jnp
    import jaxscope as js

    def f(x, n):
        y = jnp.sin(x) * n
        return jax.lax.cond(y.sum() > 0, lambda v: v + 1, lambda v: v - 1, y)

    x = jnp.arange(3.0)
    views = {
        "jaxpr": js.jaxpr(f, x, 2.0),
        "jaxpr-grad": js.jaxpr(jax.grad(lambda x: f(x, 2.0).sum()), x),
        "trace": js.trace(f, x, 2, static_argnums=1),
        "hlo": js.hlo(f, x, 2.0),
        "cheatsheet": js.cheatsheet.table(1),
    }
    out = {k: hashlib.sha256((v.text() + "\\0" + v.html()).encode()).hexdigest()
           for k, v in views.items()}
    print(json.dumps(out, sort_keys=True))
    """
)


def _run(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_views_are_byte_identical_across_processes_and_hash_seeds():
    first, second = _run("0"), _run("12345")
    assert first == second
    assert hashlib.sha256(first.encode()).hexdigest()
