"""Shared pytest set-up for the unit, notebook-meta and browser tests."""

# Sample notebooks used by unit and browser tests are not curriculum notebooks: nbval skips them.
collect_ignore_glob = ["browser/samples/*", "notebook_samples/*"]
