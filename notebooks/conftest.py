"""nbval checks these notebooks with the jaxscope plugin: the build's environment for kernels,
``--notebook-order``, and allowances for checking on another platform (see its docstring)."""

import os

from jaxscope._build import JAX_CACHE, jax_cache_env
from jaxscope._nbval_plugin import (  # noqa: F401 - pytest finds the hooks by name
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_runtest_setup,
)

# the whole test process shares the build's compile cache (an outer setting wins)
for _key, _value in jax_cache_env(JAX_CACHE).items():
    os.environ.setdefault(_key, _value)
