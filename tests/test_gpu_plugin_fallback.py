"""The GPU extra on a machine without a usable GPU: the curriculum check passes, and
``js.device_info()`` says why JAX runs on the CPU.

The cheapest honest stand-in for a hub image shared by CPU and GPU nodes: a virtual environment
layered over this one (a ``.pth`` file) with JAX's real CUDA plugin wheels installed, without the
NVIDIA libraries, on this CPU-only machine. The plugin is real; it cannot use a GPU, and at JAX's
first use it prints a traceback on stderr, as it does on a CPU node.
"""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import jax
import pytest

import jaxscope
from jaxscope._build import REPO

PLUGIN_WHEELS = [f"jax-cuda13-plugin=={jax.__version__}", f"jax-cuda13-pjrt=={jax.__version__}"]
VENV = REPO / ".cache" / f"gpu-plugin-venv-{jax.__version__}"


def _run(python, *args, env=None, timeout=900):
    env = {
        k: v for k, v in (env or os.environ).items() if not k.startswith(("JAXSCOPE_", "PYTEST_"))
    }
    proc = subprocess.run(
        [str(python), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def python():
    """The layered environment's Python, with the CUDA plugin installed (made once, kept)."""
    bin_python = VENV / "bin" / "python"
    if not (VENV / ".plugin-installed").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        site = subprocess.run(
            [str(bin_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        paths = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
        package_root = Path(jaxscope.__file__).resolve().parents[1]
        Path(site, "base-environment.pth").write_text(
            "\n".join([*paths, str(package_root)]) + "\n", encoding="utf-8"
        )
        cmd = [str(bin_python), "-m", "pip", "install", "--quiet", "--no-deps", *PLUGIN_WHEELS]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"could not install the CUDA plugin: {proc.stderr[-2000:]}"
        (VENV / ".plugin-installed").write_text("\n".join(PLUGIN_WHEELS), encoding="utf-8")
    return bin_python


def test_the_plugin_really_is_installed_and_unusable(python):
    code, out, err = _run(python, "-c", "import jax; print(jax.default_backend())")
    assert code == 0 and out.split()[-1] == "cpu", err
    assert "xla_cuda13" in err and "Traceback" in err  # what broke cell 0 of every notebook


def test_kernels_are_pinned_to_the_cpu_and_device_info_says_why(python):
    code = (
        "import os; from jaxscope._build import kernel_env; os.environ.update(kernel_env()); "
        "import jaxscope as js; print(js.device_info()); print(js.device_info().banner())"
    )
    rc, out, err = _run(python, "-c", code)
    assert rc == 0, err
    assert err.strip() == "", err
    note = "jax-cuda13-plugin installed, but no GPU could be used, so JAX runs on the CPU"
    assert f"platform: cpu ({note})" in out
    assert f"(cpu:0; {note})" in out


def test_device_info_says_why_without_the_pin_too(python):
    rc, out, err = _run(python, "-c", "import jaxscope as js; print(js.device_info())")
    assert rc == 0, err
    assert "no GPU could be used, so JAX runs on the CPU" in out


def test_the_curriculum_check_passes_on_notebooks_00_and_01(python):
    notebooks = [
        str(REPO / "notebooks" / n) for n in ("00-start-here.ipynb", "01-core-concepts.ipynb")
    ]
    args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--nbval"]
    args += [
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(REPO / "tests" / "nbval_sanitize.cfg"),
    ]
    rc, out, err = _run(python, *args, *notebooks)
    assert rc == 0, out[-4000:] + err[-2000:]
    assert " failed" not in out and " passed" in out
