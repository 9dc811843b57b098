"""The source notebooks are built, honest about exemptions, and tied to the cheat sheet.

nbval itself (run by the README's test command) proves that stored outputs reproduce; these tests
check what nbval cannot: how much is compared, why a cell is exempt, and that each notebook's
concept sections are the cheat-sheet table's concepts in order.
"""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
EXEMPT_TAGS = {"nbval-ignore-output", "nbval-skip"}
COMMENT_MARKER = re.compile(r"^\s*#\s*NBVAL_", re.M)
ANCHOR = re.compile(r'<a id="([a-z0-9-]+)"></a>')


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _code(path):
    return [c for c in _cells(path) if c["cell_type"] == "code"]


def test_there_are_notebooks():
    names = [p.stem for p in NOTEBOOKS]
    assert "00-start-here" in names and "01-core-concepts" in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_built_in_one_fresh_run(path):
    counts = [c["execution_count"] for c in _code(path)]
    assert None not in counts, "a code cell was not executed: run `make build`"
    assert counts == list(range(1, len(counts) + 1)), "not built top to bottom in one kernel"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exemptions_are_tagged_with_a_reason(path):
    code = _code(path)
    exempt = 0
    for cell in code:
        source = "".join(cell["source"])
        assert not COMMENT_MARKER.search(source), "use cell tags, not NBVAL_ comments"
        tags = set(cell["metadata"].get("tags", []))
        if tags & EXEMPT_TAGS:
            exempt += 1
            reason = cell["metadata"].get("jaxscope", {}).get("nbval-reason", "")
            assert len(reason) > 10, f"exempt cell without a reason: {source[:60]!r}"
    assert (len(code) - exempt) / len(code) >= 0.85, f"{exempt} of {len(code)} cells exempt"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_built_on_a_recorded_platform_and_device_specific_cells_say_why(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"].get("jaxscope", {}).get("platform") in {"cpu", "gpu", "tpu"}
    for cell in _code(path):
        why = cell["metadata"].get("jaxscope", {}).get("device-specific")
        if why is not None:
            assert isinstance(why, str) and len(why) > 10, "".join(cell["source"])[:60]


def test_compiled_program_details_are_marked_device_specific():
    # js.hlo and XLA's cost model show what one backend compiled, so a check on another platform
    # must not compare them; notebooks that pin JAX to the CPU (jax_platforms) are exempt
    compared = []
    for path in NOTEBOOKS:
        code = _code(path)
        if any("jax_platforms" in "".join(c["source"]) for c in code):
            continue
        for cell in code:
            source = "".join(cell["source"])
            ignored = "nbval-ignore-output" in cell["metadata"].get("tags", [])
            if re.search(r"js\.hlo\(|cost_analysis\(", source) and cell["outputs"] and not ignored:
                compared.append(cell)
    assert len(compared) >= 5
    assert all(c["metadata"].get("jaxscope", {}).get("device-specific") for c in compared)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_error_outside_cells_tagged_to_raise(path):
    for cell in _code(path):
        raises = "raises-exception" in cell["metadata"].get("tags", [])
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert bool(errors) == raises, "".join(cell["source"])[:80]


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem[:2] != "00"], ids=lambda p: p.stem)
def test_sections_follow_the_cheat_sheet_table(path):
    from jaxscope import cheatsheet

    table = next(t for t in cheatsheet.tables() if t.n == int(path.stem[:2]))
    assert path.stem == f"{table.n:02d}-{table.slug}"
    anchors = [
        a
        for cell in _cells(path)
        if cell["cell_type"] == "markdown"
        for line in cell["source"]
        if line.startswith("## ")
        for a in ANCHOR.findall(line)
    ]
    assert anchors == [c.id for c in table.concepts]
