"""Shared pytest set-up for the unit, notebook-meta and browser tests."""

import pytest

# Sample notebooks used by unit and browser tests are not curriculum notebooks: nbval skips them.
collect_ignore_glob = ["browser/samples/*", "notebook_samples/*"]


@pytest.fixture(autouse=True)
def _own_jupyter_data_dir(tmp_path_factory, monkeypatch):
    """Jupyter's data folder (notebook signatures, kernels) in a temporary folder, so no test
    writes the user's own signature store."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path_factory.mktemp("jupyter-data")))
