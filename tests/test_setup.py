"""The set-up files agree: environment.yml pins the same ranges as pyproject.toml."""

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"flatbuffers": "python-flatbuffers"}  # PyPI name -> conda-forge name


def _name_and_range(spec: str) -> tuple[str, str]:
    match = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(.*)$", spec.strip())
    assert match, spec
    return match.group(1).lower(), match.group(3).replace(" ", "")


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = dict(_name_and_range(s) for s in project["dependencies"])
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = dict(
        _name_and_range(d) for d in env["dependencies"] if isinstance(d, str) and d != "pip"
    )
    for name, version_range in wanted.items():
        conda_name = CONDA_NAMES.get(name, name)
        assert conda.get(conda_name) == version_range, (name, version_range, conda.get(conda_name))
    for name in ("jupyterlab", "ipywidgets", "jax", "matplotlib", "nbval"):
        assert name in conda
    assert {"pip": ["-e ."]} in env["dependencies"]


def test_jax_is_pinned_to_a_range():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    jax = next(s for s in project["dependencies"] if s.startswith("jax"))
    assert ">=" in jax and "<" in jax.split(",")[1]


def test_ci_calls_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    commands = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, re.S)[0].split("\n")
    test_command = next(c for c in commands if "test" in c).split("#")[0].strip()
    assert test_command in ci
    assert "set -euo pipefail" in ci
