"""Build the source notebooks: execute each top to bottom in a fresh kernel and store its outputs.

A notebook is written as text, ``notebooks/NN-slug.md`` (MyST Markdown, read by jupytext): the file
people edit and review. ``python -m jaxscope build [NAME ...]`` (or ``make build``) executes it
into ``NN-slug.ipynb`` with its outputs, so that nbval can prove the stored outputs reproduce and
learners get a notebook that opens with them. ``python -m jaxscope build --text`` goes the other
way, for edits made to an ``.ipynb`` in Jupyter: it rewrites the ``.md`` from the ``.ipynb``.
Live-widget outputs are stored without their widget-view part: the static ``text/html`` then
shows wherever the notebook is opened without a kernel, and the live widget appears as soon as the
cell runs again.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
# JAX's persistent compilation cache for nbval of the source notebooks (notebooks/conftest.py):
# a re-check loads compiled programs instead of compiling them again (it must be absolute). The
# build does not use it, so that stored outputs show real compile times.
JAX_CACHE = REPO / ".cache" / "jax"


def jax_cache_env(folder: Path) -> dict[str, str]:
    """Environment that makes JAX cache every compiled program in ``folder``."""
    return {
        "JAX_COMPILATION_CACHE_DIR": str(Path(folder).resolve()),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


# On a GPU each JAX process claims 75% of its memory when it starts, so a second kernel (another
# open notebook, a second nbval worker) would find too little left. Allocating on demand lets
# several share one GPU; on a CPU it changes nothing.
SHARE_GPU_ENV = {"XLA_PYTHON_CLIENT_PREALLOCATE": "false"}

# Environment of the kernels of the build and of the curriculum check, so both produce the same
# outputs. (The check's kernels also inherit the compile cache notebooks/conftest.py sets up.)
BUILD_ENV = {"PYTHONHASHSEED": "0", "JAXSCOPE_STRICT": "1", **SHARE_GPU_ENV}


# Set, with JAX_PLATFORMS=cpu, in kernels whose GPU plugin cannot be used (cpu_fallback_env).
CPU_FALLBACK_ENV = "JAXSCOPE_CPU_FALLBACK"
_GPU_PLUGIN = re.compile(r"^jax[-_](?:cuda|rocm)\d*[-_]plugin$", re.IGNORECASE)


def gpu_plugins() -> list[str]:
    """The JAX GPU plugins installed here (``jax-cuda13-plugin``, ``jax-rocm7-plugin``...)."""
    from importlib.metadata import distributions

    names = {dist.metadata["Name"] or "" for dist in distributions()}
    return sorted(name for name in names if _GPU_PLUGIN.match(name))


@functools.cache
def cpu_fallback_env() -> dict[str, str]:
    """Environment for kernels when a GPU plugin is installed but JAX falls back to the CPU.

    A CUDA plugin without a usable GPU (a hub image shared by CPU and GPU nodes, say) prints a
    traceback on stderr in every process at JAX's first use; ``JAX_PLATFORMS=cpu`` skips its
    checks. :data:`CPU_FALLBACK_ENV` names the plugins, so ``js.device_info()`` can say why JAX
    runs on the CPU. Empty when no plugin is installed, a GPU works, or JAX_PLATFORMS is set.
    """
    plugins = gpu_plugins()
    if not plugins or os.environ.get("JAX_PLATFORMS") or detect_platform() != "cpu":
        return {}
    return {"JAX_PLATFORMS": "cpu", CPU_FALLBACK_ENV: ", ".join(plugins)}


def kernel_env() -> dict[str, str]:
    """What the build's and the curriculum check's kernels add to the environment."""
    return {**BUILD_ENV, **cpu_fallback_env()}


def environ_sharing_gpu() -> dict[str, str]:
    """This process's environment plus :data:`SHARE_GPU_ENV` where not set, and the CPU
    fallback where a GPU plugin is unusable: for the kernels JupyterLab and the workspace's
    curriculum check start."""
    return {**SHARE_GPU_ENV, **os.environ, **cpu_fallback_env()}


@functools.cache
def detect_platform() -> str:
    """The platform JAX picks by default here with the build's environment: cpu, gpu or tpu.

    Asked in a child process, so that this one neither initialises JAX's backends nor claims an
    accelerator's memory. The build records it in each notebook; the curriculum check compares.
    """
    env = {**os.environ, **BUILD_ENV}
    code = "import jax; print(jax.default_backend())"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    lines = proc.stdout.split()
    if proc.returncode or not lines:
        raise RuntimeError(f"could not ask JAX for its platform: {proc.stderr.strip()[-800:]}")
    return lines[-1]


def find_notebooks(names: list[str], folder: Path = NOTEBOOKS) -> list[Path]:
    """Resolve ``names`` ("01", "01-core-concepts", a path) to source notebooks; all when empty."""
    # a workspace's NAME.updated.ipynb (the course's newer copy) is never one to pick
    every = sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb") if ".updated." not in p.name)
    if not names:
        return every
    chosen = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.exists():
            chosen.append(path.resolve())
            continue
        matches = [p for p in every if p.stem == name or p.stem.startswith(f"{name}-")]
        if len(matches) != 1:
            known = ", ".join(p.stem for p in every) or "none"
            raise ValueError(f"no single notebook matches {name!r}; known: {known}")
        chosen.append(matches[0])
    return chosen


TEXT_FORMAT = "md:myst"


def text_of(path: Path) -> Path:
    """The text source (``NN-slug.md``) of the notebook ``path`` (``NN-slug.ipynb``)."""
    return Path(path).with_suffix(".md")


def read_text_source(path: Path):
    """The notebook written as text beside ``path``, without outputs: cell ids ``c000``,
    ``c001``, ... (stable from build to build) and jupytext's own metadata dropped."""
    import jupytext

    source = text_of(path)
    if not source.is_file():
        raise FileNotFoundError(
            f"{path.name} has no text source {source.name}; "
            f"write it from the notebook with: python -m jaxscope build --text {path.stem}"
        )
    nb = jupytext.read(source, fmt=TEXT_FORMAT)
    nb.metadata.pop("jupytext", None)
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"
    return nb


def write_text_source(path: Path) -> Path:
    """Write ``NN-slug.md`` from the cells of the notebook ``path`` (sources and metadata; the
    outputs stay in the ``.ipynb``); return the file written."""
    import jupytext
    import nbformat

    nb = nbformat.read(path, as_version=4)
    target = text_of(path)
    jupytext.write(nb, target, fmt=TEXT_FORMAT)
    return target


def _package_dirs() -> list[str]:
    """Where this environment installs packages (the kernel's too: it runs this Python)."""
    paths = sysconfig.get_paths()
    return sorted({paths["purelib"], paths["platlib"]}, key=len, reverse=True)


def _unplace(text: str) -> str:
    """``text`` without this machine's package folder: ``…/site-packages/jax/...``."""
    for folder in _package_dirs():
        text = text.replace(folder + os.sep, f"…{os.sep}{Path(folder).name}{os.sep}")
    return text


def tidy(nb) -> None:
    """Drop what changes run to run or only matters to a live kernel, and the build machine's
    package folder from tracebacks and messages (a learner's venv lives elsewhere)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data and WIDGET_MIME in data and len(data) > 1:
                del data[WIDGET_MIME]
            if "traceback" in output:
                output["traceback"] = [_unplace(line) for line in output["traceback"]]
            for key in ("evalue", "text"):
                if isinstance(output.get(key), str):
                    output[key] = _unplace(output[key])
            for mime, value in (data or {}).items():
                if isinstance(value, str):
                    data[mime] = _unplace(value)


def build(path: Path, timeout: int = 600) -> float:
    """Execute the text source of ``path`` in a fresh kernel and store the notebook with its
    outputs atomically as ``path``; return seconds taken.

    The kernel runs with :func:`kernel_env` but without JAX's persistent compilation cache, so
    the stored outputs show real compile times, as a learner's first run does. The notebook's
    metadata records the platform it ran on (``jaxscope.platform``), so that a check on another
    platform knows to allow for it.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = read_text_source(path)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
    )
    no_cache = jax_cache_env(JAX_CACHE).keys()
    env = {k: v for k, v in os.environ.items() if k not in no_cache}
    client.execute(env={**env, **kernel_env()})
    seconds = time.perf_counter() - start
    tidy(nb)
    nb.metadata.setdefault("jaxscope", {})["platform"] = detect_platform()
    tmp = path.with_suffix(".ipynb.tmp")
    nbformat.write(nb, tmp)
    os.replace(tmp, path)
    return seconds


def main(argv: list[str] | None = None, text: bool = False) -> int:
    """Build the notebooks named in ``argv`` (all when empty); with ``text``, write their text
    sources from the ``.ipynb`` instead."""
    names = list(sys.argv[1:] if argv is None else argv)
    try:
        paths = find_notebooks(names)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    untexted = [p.stem for p in paths if not text and not text_of(p).is_file()]
    if untexted:
        print(
            f"error: no text source (.md) for {', '.join(untexted)}; write them from the "
            f"notebooks with: python -m jaxscope build --text {' '.join(untexted)}",
            file=sys.stderr,
        )
        return 2
    if text:
        for path in paths:
            print(f"wrote {write_text_source(path).name}", flush=True)
        return 0
    for path in paths:
        print(f"building {path.name} ...", flush=True)
        print(f"  done in {build(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
