"""The notebook build command: name resolution, output tidying, atomic store."""

import json
import os
import sysconfig

import jax
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from jaxscope.__main__ import main
from jaxscope._build import WIDGET_MIME, build, find_notebooks, tidy


def _folder(tmp_path):
    for name in ("00-start-here", "01-core-concepts", "02-arrays-dtypes"):
        nbformat.write(new_notebook(), tmp_path / f"{name}.ipynb")
    return tmp_path


def test_names_resolve_by_number_stem_or_path(tmp_path):
    folder = _folder(tmp_path)
    assert [p.stem for p in find_notebooks(["01"], folder)] == ["01-core-concepts"]
    assert [p.stem for p in find_notebooks(["02-arrays-dtypes"], folder)] == ["02-arrays-dtypes"]
    assert len(find_notebooks([], folder)) == 3


def test_unknown_name_lists_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="known: 00-start-here, 01-core-concepts"):
        find_notebooks(["99"], _folder(tmp_path))


def test_cli_reports_bad_names_without_a_traceback(capsys):
    assert main(["build", "no-such-notebook"]) == 2
    assert "no single notebook matches" in capsys.readouterr().err


def test_tidy_keeps_static_html_and_drops_live_widget_parts():
    out = new_output(
        "execute_result",
        data={"text/plain": "v", "text/html": "<b>v</b>", WIDGET_MIME: {"model_id": "x"}},
    )
    cell = new_code_cell("v", outputs=[out])
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01"}
    nb = new_notebook(cells=[cell], metadata={"widgets": {"state": {}}})
    tidy(nb)
    assert set(nb.cells[0].outputs[0]["data"]) == {"text/plain", "text/html"}
    assert "execution" not in nb.cells[0].metadata and "widgets" not in nb.metadata


def test_tidy_drops_the_build_machines_package_folder():
    site = sysconfig.get_paths()["purelib"]
    where = f"{site}/jax/_src/core.py"
    err = new_output("error", ename="TypeError", evalue=f"raised in {where}", traceback=[where])
    stream = new_output("stream", name="stderr", text=f"warning from {where}\n")
    html = new_output("display_data", data={"text/plain": where, "text/html": f"<b>{where}</b>"})
    nb = new_notebook(cells=[new_code_cell("x", outputs=[err, stream, html])])
    tidy(nb)
    text = json.dumps(nb, ensure_ascii=False)
    assert site not in text
    assert text.count("…/site-packages/jax/_src/core.py") == 5


def test_build_executes_and_stores_outputs(tmp_path, monkeypatch):
    monkeypatch.delenv("JAXSCOPE_STRICT", raising=False)
    path = tmp_path / "01-demo.ipynb"
    env_cell = (
        "import os; print(os.environ.get('JAXSCOPE_STRICT'), os.environ['PYTHONHASHSEED'],"
        " os.environ.get('JAX_COMPILATION_CACHE_DIR'))"
    )
    nbformat.write(
        new_notebook(cells=[new_code_cell("print(6 * 7)"), new_code_cell(env_cell)]), path
    )
    build(path, timeout=120)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].execution_count == 1 and nb.cells[0].outputs[0]["text"] == "42\n"
    # the kernel runs with BUILD_ENV but no persistent compile cache ...
    assert nb.cells[1].outputs[0]["text"] == "1 0 None\n"
    assert "JAXSCOPE_STRICT" not in os.environ  # ... and this process is left as it was
    assert nb.metadata["jaxscope"]["platform"] == jax.default_backend()
    assert not list(tmp_path.glob("*.tmp"))
