"""Compare a stored notebook output with a fresh one: numbers as numbers, all other text exactly.

Float results differ in their last digits between CPUs (AVX-512 or AVX2 kernels, other
reduction orders, another libm), so the curriculum check must not compare printed floats as
strings. :func:`outputs_agree` splits both texts into numbers and the text between them:

* the text between numbers must match exactly, except for layout: runs of spaces and tabs count
  as one, spaces next to a number do not count (NumPy pads array columns to the widest number,
  and a ``-0.`` that became ``0.`` shifts them), and inside brackets a line break counts as a
  space (NumPy wraps a row where its numbers grew longer);
* integers (``3``, ``-12``, the ``3`` of ``f32[3]``) must be equal;
* floats (``0.44444445``, ``1.``, ``-2.5e-07``, ``nan``, ``-inf``) must agree within
  :data:`ULPS` units in the last place of their dtype, measured against the largest magnitude
  in the same bracketed array (a rounding residual beside ``1.0`` is small only relative to it).
  The dtype is the coarsest one the output names (``bfloat16``, ``float16``, ``float32``,
  ``float64``), float32 when it names none. A number printed with at least 5 significant digits
  may also differ by one unit in its last printed digit, which a change of a few ulps can flip.
  ``nan`` equals only ``nan``; ``inf`` only the same ``inf``; ``-0.`` equals ``0.``.

So ``0.44444445`` and ``0.44444448`` agree (1 ulp), while ``0.4445`` against ``0.4444``, another
shape, dtype, word or sign does not.
"""

from __future__ import annotations

import math
import re

# How many units in the last place of the dtype two floats may differ by.
ULPS = 16

_FLOAT = (
    r"(?:\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|nan|inf)"  # 1. .5 1e-5
)
# A number: not glued to a word or a dot before it, nor to a word or ".digit" after it
# ("float32", "0.10.2" and "x1" hold none; "is 0.5." ends a sentence with one). Group "float"
# or "int" says which.
NUMBER = re.compile(rf"(?<![\w.])(?:(?P<float>-?{_FLOAT})|(?P<int>-?\d+))(?!\w|\.\w)")

# machine epsilon of each float dtype, looked for by name; the coarsest one named wins
_EPS = (
    (re.compile(r"bfloat16|\bbf16\b"), 2.0**-7),
    (re.compile(r"(?<!b)float16|\bf16\b"), 2.0**-10),
    (re.compile(r"float32|\bf32\b"), 2.0**-23),
    (re.compile(r"float64|\bf64\b"), 2.0**-52),
)
_SPACES = re.compile(r"[ \t]+")
_LAYOUT = re.compile(r"\[|\]|\s+")


def _eps(text: str) -> float:
    named = [eps for pattern, eps in _EPS if pattern.search(text)]
    return max(named) if named else 2.0**-23


def _layout(text: str) -> str:
    """``text`` with its layout made canonical: whitespace inside brackets becomes one space,
    outside them runs of spaces and tabs become one (line breaks stay)."""
    out, depth, last = [], 0, 0
    for match in _LAYOUT.finditer(text):
        out.append(text[last : match.start()])
        token = match.group()
        if token == "[":
            depth += 1
        elif token == "]":
            depth = max(0, depth - 1)
        elif depth or "\n" not in token:
            token = " "
        else:
            token = _SPACES.sub(" ", token)
        out.append(token)
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def _parts(text: str) -> tuple[list[str], list[tuple[str, str, int]]]:
    """The text between numbers (spaces next to a number dropped) and the numbers:
    (kind, text, group), the group being the outermost bracketed array holding the number."""
    texts, numbers = [], []
    depth, group, start = 0, 0, 0
    for match in NUMBER.finditer(text):
        between = text[start : match.start()]
        for char in between:
            if char == "[":
                group += depth == 0
                depth += 1
            elif char == "]" and depth:
                depth -= 1
        texts.append(between.strip(" "))
        kind = "float" if match.group("float") else "int"
        numbers.append((kind, match.group(), group if depth else -len(numbers) - 1))
        start = match.end()
    texts.append(text[start:].strip(" "))
    return texts, numbers


def _digits(number: str) -> tuple[int, float]:
    """Significant digits printed, and the value of one unit in the last printed digit."""
    mantissa, _, exponent = number.lstrip("-").lower().partition("e")
    whole, _, fraction = mantissa.partition(".")
    significant = (whole + fraction).lstrip("0") or "0"
    return len(significant), 10.0 ** (int(exponent or 0) - len(fraction))


def _floats_agree(ref: str, test: str, scale: float, eps: float) -> bool:
    a, b = float(ref), float(test)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    tolerance = ULPS * eps * max(abs(a), abs(b), scale)
    (digits_a, unit_a), (digits_b, unit_b) = _digits(ref), _digits(test)
    if min(digits_a, digits_b) >= 5:
        tolerance = max(tolerance, unit_a, unit_b)
    return abs(a - b) <= tolerance


def _group_scales(*number_lists: list[tuple[str, str, int]]) -> dict[int, float]:
    scales: dict[int, float] = {}
    for numbers in number_lists:
        for kind, text, group in numbers:
            value = abs(float(text))
            if kind == "float" and math.isfinite(value):
                scales[group] = max(scales.get(group, 0.0), value)
    return scales


def outputs_agree(ref: str, test: str) -> bool:
    """True when ``test`` shows what ``ref`` shows, numbers compared as numbers (module doc)."""
    if ref == test:
        return True
    ref, test = _layout(ref), _layout(test)
    if ref == test:
        return True
    ref_texts, ref_numbers = _parts(ref)
    test_texts, test_numbers = _parts(test)
    if ref_texts != test_texts or len(ref_numbers) != len(test_numbers):
        return False
    eps = max(_eps(ref), _eps(test))
    scales = _group_scales(ref_numbers, test_numbers)
    for (kind_r, text_r, group), (kind_t, text_t, _) in zip(ref_numbers, test_numbers, strict=True):
        if kind_r != kind_t:
            return False
        if kind_r == "int":
            if int(text_r) != int(text_t):
                return False
        elif not _floats_agree(text_r, text_t, scales.get(group, 0.0), eps):
            return False
    return True


class ComparedText(str):
    """A sanitised output whose ``==`` is :func:`outputs_agree`: nbval compares with ``!=``."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return outputs_agree(str(self), str(other))

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = str.__hash__
