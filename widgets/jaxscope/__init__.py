"""jaxscope: views that make JAX's machinery visible, for the JAX cheat-sheet notebooks.

``import jaxscope as js``. Every view returns an object that renders as text, as static HTML and,
in JupyterLab, as a live widget. Names load lazily so that ``import jaxscope`` stays cheap.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from ._version import __version__ as __version__

# public name -> private module that defines it (one view per module)
_EXPORTS = {
    "device_info": "._device_info",
    "jaxpr": "._jaxpr_view",
    "trace": "._trace_view",
    "hlo": "._hlo_view",
    "timeit": "._timeit_view",
    "check": "._exercises",
    "key_tree": "._key_tree_view",
    "transforms": "._transforms_view",
    "pytree": "._pytree_view",
    "sharding": "._sharding_view",
    "progress": "._progress_view",
}
_MODULES = {"cheatsheet": ".cheatsheet"}

__all__ = ["__version__", *_EXPORTS, *_MODULES]

if TYPE_CHECKING:  # pragma: no cover
    from . import cheatsheet as cheatsheet
    from ._device_info import device_info as device_info
    from ._exercises import check as check
    from ._hlo_view import hlo as hlo
    from ._jaxpr_view import jaxpr as jaxpr
    from ._key_tree_view import key_tree as key_tree
    from ._progress_view import progress as progress
    from ._pytree_view import pytree as pytree
    from ._sharding_view import sharding as sharding
    from ._timeit_view import timeit as timeit
    from ._trace_view import trace as trace
    from ._transforms_view import transforms as transforms


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name], __name__), name)
    elif name in _MODULES:
        value = import_module(_MODULES[name], __name__)
    else:
        raise AttributeError(f"module 'jaxscope' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
