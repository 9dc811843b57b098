"""Plain-words explanations of the errors learners meet when JAX traces their code.

``explain(exc, fn)`` returns a dict with ``explanation``, ``fix``, ``concept`` (a cheat-sheet
concept id) and ``where`` (``file:line`` in the learner's code, when it can be found).
"""

from __future__ import annotations

from typing import Any


def explain(exc: BaseException, fn: Any = None) -> dict[str, str]:
    """Explain ``exc`` raised while tracing or running ``fn``."""
    return {}
