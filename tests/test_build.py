"""The notebook build command: name resolution, output tidying, atomic store."""

import json
import os
import sysconfig

import jax
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from jaxscope.__main__ import main
from jaxscope._build import (
    WIDGET_MIME,
    build,
    find_notebooks,
    read_text_source,
    text_of,
    tidy,
    write_text_source,
)


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


DEMO_MD = """---
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# A demo

```{code-cell} ipython3
print(6 * 7)
```

```{code-cell} ipython3
:tags: [nbval-ignore-output]

import os; print(os.environ.get('JAXSCOPE_STRICT'), os.environ['PYTHONHASHSEED'], \
    os.environ.get('JAX_COMPILATION_CACHE_DIR'))
```
"""


def test_build_executes_and_stores_outputs(tmp_path, monkeypatch):
    monkeypatch.delenv("JAXSCOPE_STRICT", raising=False)
    path = tmp_path / "01-demo.ipynb"
    text_of(path).write_text(DEMO_MD, encoding="utf-8")
    build(path, timeout=120)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[1].execution_count == 1 and nb.cells[1].outputs[0]["text"] == "42\n"
    # the kernel runs with BUILD_ENV but no persistent compile cache ...
    assert nb.cells[2].outputs[0]["text"] == "1 0 None\n"
    assert "JAXSCOPE_STRICT" not in os.environ  # ... and this process is left as it was
    assert nb.metadata["jaxscope"]["platform"] == jax.default_backend()
    assert not list(tmp_path.glob("*.tmp"))
    # the text's cells, tags and kernel, with stable ids; the .md itself is left as it was
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    assert [c.id for c in nb.cells] == ["c000", "c001", "c002"]
    assert nb.cells[2].metadata["tags"] == ["nbval-ignore-output"]
    assert nb.metadata["kernelspec"]["name"] == "python3" and "jupytext" not in nb.metadata
    assert text_of(path).read_text(encoding="utf-8") == DEMO_MD
    assert disagreements(path) == []


def disagreements(path) -> list[str]:
    """Where the notebook ``path`` and its text source differ: cells (kind, source, metadata,
    id) and the kernel."""
    stored, text = nbformat.read(path, as_version=4), read_text_source(path)
    found = [
        f"cell {i}: the .md and the .ipynb differ ({a[0]} vs {b[0]} cell)"
        for i, (a, b) in enumerate(
            zip(
                [(c.cell_type, c.source, c.metadata, c.get("id")) for c in stored.cells],
                [(c.cell_type, c.source, c.metadata, c.get("id")) for c in text.cells],
                strict=False,
            )
        )
        if a != b
    ]
    if len(stored.cells) != len(text.cells):
        found.append(f"{len(text.cells)} cells in the .md, {len(stored.cells)} in the .ipynb")
    if stored.metadata.get("kernelspec") != text.metadata.get("kernelspec"):
        found.append("the kernels differ")
    return found


@pytest.mark.parametrize("path", find_notebooks([]), ids=lambda p: p.stem)
def test_every_notebook_agrees_with_its_text_source(path):
    """The .md is the source; the .ipynb is what ``jaxscope build`` made of it. They disagree when
    one was edited without the other: run ``python -m jaxscope build NN`` after editing the .md,
    or ``python -m jaxscope build --text NN`` after editing the .ipynb in Jupyter."""
    assert text_of(path).is_file(), f"{path.name} has no text source"
    assert disagreements(path) == [], path.name


def test_text_source_round_trips_tags_metadata_and_ids(tmp_path):
    path = tmp_path / "03-demo.ipynb"
    cells = [
        new_markdown_cell("# Title\n\nSome *prose*."),
        new_code_cell("x = 1", metadata={"tags": ["raises-exception"]}),
        new_code_cell("x", metadata={"jaxscope": {"nbval-reason": "a reason"}}),
    ]
    for i, cell in enumerate(cells):
        cell["id"] = f"c{i:03d}"
    kernel = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": kernel}), path)
    assert write_text_source(path) == tmp_path / "03-demo.md"
    text = (tmp_path / "03-demo.md").read_text(encoding="utf-8")
    assert ":tags: [raises-exception]\n\nx = 1\n```" in text and "nbval-reason: a reason" in text
    assert disagreements(path) == []
    (tmp_path / "03-demo.md").write_text(text.replace("x = 1", "x = 2"), encoding="utf-8")
    assert disagreements(path) == ["cell 1: the .md and the .ipynb differ (code vs code cell)"]


def test_build_refuses_a_notebook_without_text_source(tmp_path, capsys):
    path = tmp_path / "04-bare.ipynb"
    nbformat.write(new_notebook(), path)
    assert main(["build", str(path)]) == 2
    assert "build --text 04-bare" in capsys.readouterr().err
    assert main(["build", "--text", str(path)]) == 0
    assert text_of(path).is_file() and disagreements(path) == []
