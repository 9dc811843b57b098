"""The package as shipped: no import cycles among its modules, and a wheel that works installed.

The wheel test builds jaxscope from a copy of the sources, installs it (not editable) into a fresh
virtual environment under tmp, and runs a view, a search, a check and the command line from a
folder outside the repository. The new environment borrows this one's installed dependencies
through a ``.pth`` line instead of downloading them; a directory named in a ``.pth`` file has its
own ``.pth`` files ignored, so this environment's editable jaxscope stays invisible there.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "widgets" / "jaxscope"


def _imports(path: Path, module: str) -> set[str]:
    """The jaxscope modules ``module`` (at ``path``) imports, at import time or inside a function;
    imports under ``if TYPE_CHECKING:`` do not run and are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1])
            if node.module:
                found.add(f"{base}.{node.module}")
            else:
                found |= {f"{base}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jaxscope"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("jaxscope")}
    return found


def import_graph() -> dict[str, set[str]]:
    """Module name -> the jaxscope modules it imports, for every module of the package."""
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        graph[".".join(parts)] = _imports(path, ".".join(parts))
    return {name: {d for d in deps if d in graph} for name, deps in graph.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` (its modules in order, the first repeated), or ``[]``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_find_cycle_sees_a_lazy_import():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert "jaxscope._view" in import_graph()["jaxscope._errors"]


def test_no_import_cycles():
    """No module imports, even lazily inside a function, one that imports it back."""
    assert find_cycle(import_graph()) == []


SMOKE = """
import sys
from pathlib import Path

import jax.numpy as jnp
import jaxscope as js

where = Path(js.__file__).resolve()
assert where.is_relative_to(Path(sys.prefix).resolve()), where
assert js.cheatsheet.cheatsheet_dir() == where.parent / "data" / "cheatsheet"
assert len(js.cheatsheet.tables()) == js.cheatsheet.N_TABLES
hits = js.cheatsheet.search("split a key", limit=3)
assert hits[0].concept.id == "split" and hits[0].table == 4, hits
html = js.jaxpr(lambda x: jnp.sin(x) * 2, jnp.ones(3)).html()
assert "sin" in html and ".jxs-jaxpr-prim{" in html
from jaxscope import exercises

t07 = exercises.get("t07-grad-1")  # its reference is the solution cell of the shipped notebook
assert t07.signature == "loss_grad(w, x, y)", t07.signature
ns = {"jax": __import__("jax"), "jnp": jnp}
exec(t07.reference, ns)
assert js.check("t07-grad-1", ns["loss_grad"]).data["status"] == "passed"
result = js.check("t01-pure-functions-1", lambda *args, **kwargs: None)
assert result.data["status"] == "failed" and "return" in result.text(), result.text()
print("installed jaxscope works")
"""


def test_wheel_installs_and_runs_outside_the_repository(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(REPO / name, src / name)
    junk = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    shutil.copytree(REPO / "widgets", src / "widgets", ignore=junk)
    shutil.copytree(REPO / "cheatsheet", src / "cheatsheet", ignore=junk)
    (src / "notebooks").mkdir()
    for path in (REPO / "notebooks").glob("*.md"):
        shutil.copy2(path, src / "notebooks" / path.name)
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    run = {"capture_output": True, "text": True, "timeout": 600}
    build = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)], **run
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = wheels.glob("jaxscope-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, **run)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            **run,
        ).stdout.strip()
    )
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], **run
    )
    assert install.returncode == 0, install.stderr[-3000:]

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "JAXSCOPE_CHEATSHEET", "VIRTUAL_ENV")
    }
    env["JAX_PLATFORMS"] = "cpu"
    smoke = subprocess.run([python, "-c", textwrap.dedent(SMOKE)], cwd=outside, env=env, **run)
    assert smoke.returncode == 0, smoke.stdout[-2000:] + smoke.stderr[-3000:]
    assert "installed jaxscope works" in smoke.stdout
    cli = subprocess.run(
        [venv / "bin" / "jaxscope", "cheatsheet", "show", "1"], cwd=outside, env=env, **run
    )
    assert cli.returncode == 0 and cli.stdout.startswith("Table 1:"), cli.stderr[-2000:]
