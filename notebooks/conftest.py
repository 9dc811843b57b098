"""nbval runs these notebooks in kernels started from this process: give them the build's
environment (fixed hash seed, strict exercise checks) so stored and fresh outputs agree."""

import os

from jaxscope._build import BUILD_ENV

os.environ.update(BUILD_ENV)
