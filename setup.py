"""Build hook (the rest of the metadata is in pyproject.toml): ship the cheat sheet and the
notebooks' text sources inside the package. Their one source is ``cheatsheet/NN-slug.yml`` and
``notebooks/NN-slug.md`` at the top of the repository; a built wheel carries copies as
``jaxscope/data/cheatsheet/`` and ``jaxscope/data/notebooks/`` (the exercises' reference solutions
are the notebooks' solution cells), so an installed jaxscope needs no repository."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithCheatsheet(build_py):
    """``build_py`` plus a copy of ``cheatsheet/*.yml`` and ``notebooks/*.md`` (an editable install
    reads them in place)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for folder, pattern in (("cheatsheet", "*.yml"), ("notebooks", "*.md")):
            sources = sorted((HERE / folder).glob(pattern))
            if not sources:
                raise FileNotFoundError(f"nothing to ship: {HERE / folder} has no {pattern}")
            target = Path(self.build_lib, "jaxscope", "data", folder)
            self.mkpath(str(target))
            for path in sources:
                self.copy_file(str(path), str(target / path.name))


setup(cmdclass={"build_py": BuildPyWithCheatsheet})
