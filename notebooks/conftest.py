"""nbval checks these notebooks with the jaxscope plugin: the build's environment for kernels,
``--notebook-order``, and allowances for checking on another platform (see its docstring)."""

import os
from pathlib import Path

from jaxscope._build import JAX_CACHE, jax_cache_env
from jaxscope._nbval_plugin import (  # noqa: F401 - pytest finds the hooks by name
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_runtest_setup,
)

# the whole test process, the nbval kernels included, shares one compile cache: .cache/jax, or
# the folder JAX_COMPILATION_CACHE_DIR already names (benchmarks/run.py measures a cold one so)
os.environ.update(jax_cache_env(Path(os.environ.get("JAX_COMPILATION_CACHE_DIR") or JAX_CACHE)))
