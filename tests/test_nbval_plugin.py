"""The nbval plugin: kernel-only environment, notebook order, and checking on another platform.

Each behaviour is proved by running pytest with nbval on small notebooks in a temporary folder,
with ``JAXSCOPE_CHECK_PLATFORM`` standing in for a GPU machine.
"""

import os
import re
import subprocess
import sys

import jax
import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from jaxscope._build import REPO, detect_platform
from jaxscope._nbval_plugin import CROSS_DEVICE_PATTERNS
from jaxscope._output_compare import NUMBER, ULPS


def _cell(source, stdout, device_specific=""):
    cell = new_code_cell(source, execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text=stdout)]
    if device_specific:
        cell.metadata["jaxscope"] = {"device-specific": device_specific}
    return cell


def _notebook(path, cells, platform="cpu"):
    for n, cell in enumerate(cells, 1):
        cell.execution_count = n
    nb = new_notebook(cells=cells, metadata={"jaxscope": {"platform": platform}})
    nbformat.write(nb, path)


def _pytest(folder, *args, platform="cpu", timeout=300):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAXSCOPE_", "PYTEST_"))}
    env["JAXSCOPE_CHECK_PLATFORM"] = platform
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "pytest", "-p", "jaxscope._nbval_plugin", "-p", "no:cacheprovider"]
    cmd += ["--nbval", "--nbval-current-env", "-q", "-rA", *args, str(folder)]
    proc = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def drift(tmp_path):
    """A notebook built on CPU whose fresh outputs differ the way a GPU's would."""
    _notebook(
        tmp_path / "drift.ipynb",
        [
            # beyond a CPU's few ulps (float32 ulp here: 6e-8), within a GPU's 3 digits
            _cell("print('[0.8414851  0.90929741]')", "[0.84147096 0.9092974 ]\n"),
            _cell(
                "print('fusions: loop_multiply_fusion')",
                "fusions: broadcast_multiply_fusion: kLoop\n",
                device_specific="compiled HLO: each backend fuses differently",
            ),
            _cell("import os; print(os.environ.get('JAX_DEFAULT_MATMUL_PRECISION'))", "float32\n"),
        ],
    )
    return tmp_path


def test_on_another_platform_numbers_are_rounded_and_device_cells_run_unchecked(drift):
    code, out = _pytest(drift, platform="gpu")
    assert code == 0, out
    assert "3 passed" in out


def test_on_the_same_platform_every_difference_fails(drift):
    code, out = _pytest(drift, platform="cpu")
    assert code == 1, out
    assert "3 failed" in out


def test_a_device_specific_cell_that_raises_still_fails(tmp_path):
    _notebook(
        tmp_path / "raises.ipynb",
        [_cell("1 / 0", "", device_specific="compiled HLO: each backend fuses differently")],
    )
    code, out = _pytest(tmp_path, platform="gpu")
    assert code == 1 and "ZeroDivisionError" in out, out


def test_kernels_get_the_build_environment_and_the_test_process_does_not(tmp_path):
    source = "import os; print(os.environ.get('JAXSCOPE_STRICT'), os.environ.get('PYTHONHASHSEED'))"
    _notebook(tmp_path / "a_env.ipynb", [_cell(source, "1 0\n")])
    (tmp_path / "test_z_process.py").write_text(
        "import os\n\ndef test_process_env():\n    assert 'JAXSCOPE_STRICT' not in os.environ\n",
        encoding="utf-8",
    )
    code, out = _pytest(tmp_path)
    assert code == 0 and "2 passed" in out, out


def test_reverse_order_checks_the_last_notebook_first(tmp_path):
    for name in ("01-first", "02-second", "03-third"):
        _notebook(tmp_path / f"{name}.ipynb", [_cell("print(1)", "1\n")])
    (tmp_path / "test_other.py").write_text("def test_other():\n    pass\n", encoding="utf-8")
    orders = {}
    for order in ("forward", "reverse"):
        code, out = _pytest(tmp_path, "--collect-only", f"--notebook-order={order}")
        assert code == 0, out
        orders[order] = re.findall(r"(\w[\w-]*)\.(?:ipynb|py)::", out)
    assert orders["forward"] == ["01-first", "02-second", "03-third", "test_other"]
    assert orders["reverse"] == ["test_other", "03-third", "02-second", "01-first"]


@pytest.mark.parametrize(
    ("stored", "fresh"),
    [
        ("[0.84147096 0.9092974 ]", "[0.8414711  0.90929741]"),
        ("loss 0.7911495", "loss 0.79114962"),
        ("-0. 1.0000001", "0. 0.99999994"),
        ("1.2345679e-05", "1.2345681e-05"),
    ],
)
def test_cross_device_patterns_forgive_last_digit_drift(stored, fresh):
    assert _sanitize(stored) == _sanitize(fresh)


@pytest.mark.parametrize(
    ("stored", "fresh"),
    [("0.841", "0.846"), ("[1. 2.]", "[1. 3.]"), ("loss 0.79", "loss 7.9"), ("True", "False")],
)
def test_cross_device_patterns_keep_real_differences(stored, fresh):
    assert _sanitize(stored) != _sanitize(fresh)


def test_pinned_matmul_precision_in_jaxprs_reads_as_the_default():
    fresh = "dot_general[dimension_numbers=(([1], [0]), ([], [])) precision=(HIGHEST, HIGHEST)"
    stored = "dot_general[dimension_numbers=(([1], [0]), ([], [])) precision=None"
    assert _sanitize(fresh) == _sanitize(stored)
    assert _sanitize("precision=(Precision.HIGHEST, Precision.HIGHEST)") == "precision=None"
    printed = "dot_general[\n  dimension_numbers=(([0], [0]), ([], []))\n{}  t=float32\n] b a"
    extra = "  precision=(Precision.HIGHEST, Precision.HIGHEST)\n"
    assert _sanitize(printed.format(extra)) == _sanitize(printed.format(""))


def test_cross_device_patterns_leave_versions_and_integers_alone():
    text = "jax 0.10.2 · 1024 steps · shape (3, 4)"
    assert _sanitize(text) == text


def test_detect_platform_agrees_with_jax_here():
    assert detect_platform() == jax.default_backend()


def _sanitize(text):
    for regex, replace in CROSS_DEVICE_PATTERNS.items():
        text = re.sub(regex, replace, text)
    return text


def _perturb(text, ulps):
    """Every float of ``text`` printed with 7+ significant digits moved ``ulps`` float32 units in
    the last place, as another CPU might print it; returns the new text and how many moved."""
    moved = 0

    def move(match):
        nonlocal moved
        number = match.group()
        digits = number.lstrip("-").lower().split("e")[0].replace(".", "").lstrip("0")
        if not match.group("float") or len(digits) < 7 or "e" in number.lower():
            return number
        x = np.float32(float(number))
        for _ in range(ulps):
            x = np.nextafter(x, np.float32(np.inf))
        moved += 1
        return np.format_float_positional(x, unique=True)

    return NUMBER.sub(move, text), moved


def _perturb_outputs(nb, ulps):
    total = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if isinstance(output.get("text"), str):
                output["text"], n = _perturb(output["text"], ulps)
                total += n
            for mime, value in output.get("data", {}).items():
                if isinstance(value, str) and mime.startswith("text/"):
                    output["data"][mime], n = _perturb(value, ulps)
                    total += n
    return total


def _change_fourth_digit(nb):
    """Change one stored float in its 4th significant digit; return that cell's index."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = output.get("text")
            match = isinstance(text, str) and re.search(r"(?<![\w.])0\.(\d{3})(\d)(\d{3,})", text)
            if match:
                digit = str((int(match.group(2)) + 5) % 10)
                changed = f"0.{match.group(1)}{digit}{match.group(3)}"
                output["text"] = text[: match.start()] + changed + text[match.end() :]
                return index
    raise AssertionError("no float to change")


def test_a_built_notebook_passes_with_its_floats_a_few_ulps_off_and_fails_beyond(tmp_path):
    """Provable without a second machine: a real notebook's stored outputs moved 3 float32 ulps
    (what another CPU does) still pass the strict check; one number changed in its 4th digit
    fails exactly its cell."""
    nb = nbformat.read(REPO / "notebooks" / "04-random-numbers.ipynb", as_version=4)
    assert _perturb_outputs(nb, ulps=3) >= 50
    changed = _change_fourth_digit(nb)
    nbformat.write(nb, tmp_path / "drifted.ipynb")
    sanitize = str(REPO / "tests" / "nbval_sanitize.cfg")
    code, out = _pytest(tmp_path, "--nbval-sanitize-with", sanitize, timeout=1200)
    assert code == 1, out
    failed = re.findall(r"FAILED \S*drifted\.ipynb::Cell (\d+)", out)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    assert failed == [str(code_cells.index(changed))], out
    assert ULPS > 3 and "passed" in out
