"""pytest plugin for the curriculum check of the source notebooks under nbval.

``notebooks/conftest.py`` loads it (``pytest -p jaxscope._nbval_plugin`` does too). It adds what
nbval cannot do by itself:

* **Numbers compared as numbers.** Every output nbval compares (stdout and stderr, each MIME
  type's text, an error's value) is compared by :func:`jaxscope._output_compare.outputs_agree`
  after the sanitiser: floats within a few units in the last place of their dtype, all other text
  exactly. Float results differ in their last digits from one CPU to another.
* **The build's environment, for kernels only.** Each notebook's kernel starts with
  :func:`~jaxscope._build.kernel_env` (fixed hash seed, strict exercise checks; the CPU where
  a GPU plugin is installed but unusable), so stored and fresh
  outputs agree; the rest of the test process keeps its own environment.
* **Order.** ``--notebook-order=reverse`` checks the notebooks last first, to prove that none
  depends on another having run before it.
* **Other devices.** The build records the platform each notebook ran on (``jaxscope.platform``
  in its metadata). Checked on another platform (CPU-built outputs on a GPU machine, say):

  - a cell marked ``jaxscope.device-specific`` (its value says why: compiled HLO, XLA's cost
    model, the backend's name) still runs and must not raise, but its output is not compared;
  - matmuls use full float32 (``JAX_DEFAULT_MATMUL_PRECISION=float32``, no TensorFloat-32);
  - numbers are compared to 3 significant digits and runs of spaces as one, after the usual
    sanitiser (``tests/nbval_sanitize.cfg``).

  ``JAXSCOPE_CHECK_PLATFORM=gpu`` pretends to be on that platform (the plugin's own tests use it).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any

import pytest

from ._build import detect_platform, kernel_env
from ._output_compare import NUMBER, ComparedText

PLATFORM_ENV = "JAXSCOPE_CHECK_PLATFORM"
FOREIGN_ENV = {"JAX_DEFAULT_MATMUL_PRECISION": "float32"}


def round_number(match: re.Match[str]) -> str:
    """A printed float to 3 significant digits ('0.84147096' -> '0.841'); '-0' becomes '0'.
    Integers stay as they are."""
    if not match.group("float"):
        return match.group()
    text = f"{float(match.group()):.3g}"
    return "0" if text == "-0" else text


# Applied in this order after the sanitiser file's rules, to stored and fresh outputs alike.
CROSS_DEVICE_PATTERNS: dict[str, str | Callable[[re.Match[str]], str]] = {
    # the pinned float32 matmuls show in jaxprs as dot_general's precision parameter: a line of
    # its own in str(jaxpr), which leaves out the default, and a parameter in the views
    r"\n[ \t]*precision=\(Precision\.HIGHEST, Precision\.HIGHEST\)(?=\n)": "",
    r"precision=\((?:Precision\.)?HIGHEST, (?:Precision\.)?HIGHEST\)": "precision=None",
    NUMBER.pattern: round_number,
    r"[ \t]+": " ",
    r"\[ ": "[",
    r" \]": "]",
}


@functools.cache
def check_platform() -> str:
    """The platform this check runs on: ``$JAXSCOPE_CHECK_PLATFORM``, else JAX's default."""
    return os.environ.get(PLATFORM_ENV) or detect_platform()


def built_platform(nb: Any) -> str:
    """The platform a notebook's stored outputs came from (the build records it; else cpu)."""
    return nb.metadata.get("jaxscope", {}).get("platform", "cpu")


def device_reason(cell: Any) -> str:
    """Why a cell's output depends on the device ('' when it does not)."""
    return str(cell.metadata.get("jaxscope", {}).get("device-specific", ""))


def _is_nbval_cell(item: pytest.Item) -> bool:
    return hasattr(item, "cell") and hasattr(item, "options") and hasattr(item.parent, "nb")


def _foreign(notebook: Any) -> bool:
    return built_platform(notebook.nb) != check_platform()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("jaxscope").addoption(
        "--notebook-order",
        choices=("forward", "reverse"),
        default="forward",
        help="check the notebooks in file order (default) or last first",
    )


def _sanitize_to_compared_text(item: pytest.Item) -> None:
    """Make the cell's sanitised outputs compare as :class:`ComparedText` (nbval uses ``!=``)."""
    sanitize = item.sanitize

    def sanitized(text: Any) -> Any:
        text = sanitize(text)
        return ComparedText(text) if isinstance(text, str) else text

    item.sanitize = sanitized


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    notebook_cells = [item for item in items if _is_nbval_cell(item)]
    for item in notebook_cells:
        _sanitize_to_compared_text(item)
        if device_reason(item.cell) and _foreign(item.parent):
            item.options["check"] = False
    if config.getoption("notebook_order", "forward") == "reverse" and notebook_cells:
        files = list(dict.fromkeys(item.parent for item in notebook_cells))
        rank = {parent: i for i, parent in enumerate(reversed(files))}
        # stable: other tests keep their places relative to each other, ahead of the notebooks
        items.sort(key=lambda item: rank.get(item.parent, -1) if _is_nbval_cell(item) else -1)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    """Start the notebook's kernel (nbval does, in the first cell's setup) with the build env."""
    if not _is_nbval_cell(item):
        return (yield)
    notebook = item.parent
    foreign = _foreign(notebook)
    env = dict(kernel_env(), **(FOREIGN_ENV if foreign else {}))
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return (yield)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        patterns = getattr(notebook, "sanitize_patterns", None)
        if patterns is not None and foreign and not getattr(notebook, "_jxs_cross", False):
            patterns.update(CROSS_DEVICE_PATTERNS)
            notebook._jxs_cross = True
