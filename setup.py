"""Build hook (the rest of the metadata is in pyproject.toml): ship the cheat sheet inside the
package. Its one source is ``cheatsheet/NN-slug.yml`` at the top of the repository; a built wheel
carries a copy as ``jaxscope/data/cheatsheet/``, so an installed jaxscope needs no repository."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithCheatsheet(build_py):
    """``build_py`` plus a copy of ``cheatsheet/*.yml`` (editable install reads it in place)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        sources = sorted((HERE / "cheatsheet").glob("*.yml"))
        if not sources:
            raise FileNotFoundError(f"no cheat sheet to ship: {HERE / 'cheatsheet'} has no *.yml")
        target = Path(self.build_lib, "jaxscope", "data", "cheatsheet")
        self.mkpath(str(target))
        for path in sources:
            self.copy_file(str(path), str(target / path.name))


setup(cmdclass={"build_py": BuildPyWithCheatsheet})
