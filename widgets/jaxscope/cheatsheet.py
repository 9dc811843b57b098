"""The JAX cheat sheet: ``js.cheatsheet.table(1)``, ``search("split a key")``, ``explorer()``.

Twenty tables of concepts (Concept | Example | Description), each with an example that runs as
printed. This module gathers the public names; the data lives in ``cheatsheet/NN-slug.yml``.
"""

from ._cheatsheet import (
    N_TABLES,
    Concept,
    ExampleError,
    Table,
    TableView,
    cheatsheet_dir,
    concept,
    concepts,
    load,
    missing_requirements,
    run_example,
    table,
    tables,
    validate,
)
from ._explorer import ExplorerView, SearchResults, explorer, export_html, search
from ._search import SearchHit

__all__ = [
    "N_TABLES",
    "Concept",
    "ExampleError",
    "ExplorerView",
    "SearchHit",
    "SearchResults",
    "Table",
    "TableView",
    "cheatsheet_dir",
    "concept",
    "concepts",
    "explorer",
    "export_html",
    "load",
    "missing_requirements",
    "run_example",
    "search",
    "table",
    "tables",
    "validate",
]
