"""Large constants, shown as a summary instead of in full, in every view.

A model whose weights are closed over (``jax.jit(lambda x: model(x))``) carries them as constants:
in the jaxpr as ``constvars``, in StableHLO as ``dense<"0x...">`` literals of millions of hex
digits. Every view writes such a constant as its shape, dtype, first few values and total bytes,
so a view's size follows the program, not the weights.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

SHOWN_VALUES = 4  # values written out of an elided constant
SMALL_SIZE = 8  # arrays up to this many elements are written whole
DENSE_LIMIT = 96  # StableHLO dense<...> literals longer than this are elided


def nbytes_text(n: float) -> str:
    """``12 B``, ``1.5 KiB``, ``3.2 MiB``."""
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"


def _short_dtype(dtype: Any) -> str:
    try:
        from jax._src.dtypes import short_dtype_name

        return short_dtype_name(dtype)
    except Exception:  # noqa: BLE001 - an unusual dtype: its plain name
        return str(dtype)


def _values(flat: np.ndarray) -> str:
    body = np.array2string(flat, precision=4, separator=", ", threshold=SMALL_SIZE + 1)
    return " ".join(body.strip("[]").split())


def array_summary(value: Any) -> str:
    """``f32[3] [0, 1, 2]`` for small arrays; ``f32[512,512] 1.0 MiB: 0.1, -0.2, 0.3, 0.4, …``
    (shape, dtype, total bytes and the first values) for big ones."""
    shape = tuple(getattr(value, "shape", ()))
    dtype = getattr(value, "dtype", None)
    head = f"{_short_dtype(dtype) if dtype is not None else type(value).__name__}"
    head += f"[{','.join(map(str, shape))}]"
    size = int(np.prod(shape)) if shape else 1
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - e.g. PRNG key arrays: shape and dtype only
        return head
    if size <= SMALL_SIZE:
        return f"{head} {' '.join(np.array2string(arr, precision=4, separator=', ').split())}"
    first = _values(arr.reshape(-1)[:SHOWN_VALUES])
    return f"{head} {nbytes_text(arr.nbytes)}: {first}, …"


# --- StableHLO ---------------------------------------------------------------------------------
_MLIR_DTYPES = {
    "f16": "float16",
    "f32": "float32",
    "f64": "float64",
    "bf16": "bfloat16",
    "i1": "bool",
    "i8": "int8",
    "i16": "int16",
    "i32": "int32",
    "i64": "int64",
    "ui8": "uint8",
    "ui16": "uint16",
    "ui32": "uint32",
    "ui64": "uint64",
    "complex<f32>": "complex64",
    "complex<f64>": "complex128",
}
_DENSE = re.compile(r'dense<("0x[0-9A-Fa-f]*"|\[[^<>]*\])>(\s*:\s*tensor<([^<>]*(?:<[^<>]*>)?)>)?')


def _mlir_dtype(name: str) -> np.dtype | None:
    numpy_name = _MLIR_DTYPES.get(name)
    if numpy_name is None:
        return None
    if numpy_name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(numpy_name)


def _dense_summary(literal: str, tensor: str | None) -> str:
    """A summary of one StableHLO ``dense<...>`` literal, given its ``tensor<...>`` type."""
    dims, elem = [], ""
    if tensor:
        parts = tensor.split("x")
        elem = parts[-1] if not tensor.startswith("complex") else tensor
        for i, p in enumerate(parts[:-1]):
            if not p.isdigit():  # a complex<...> element type holds no 'x'; stop at it
                elem = "x".join(parts[i:])
                break
            dims.append(int(p))
    dtype = _mlir_dtype(elem)
    size = int(np.prod(dims)) if dims else 1
    head = f"{elem or '?'}[{','.join(map(str, dims))}]"
    if literal.startswith('"0x'):
        raw = bytes.fromhex(literal[3 : 3 + 2 * SHOWN_VALUES * 16])
        total = size * dtype.itemsize if dtype is not None else (len(literal) - 4) // 2
        count = min(size, SHOWN_VALUES, len(raw) // dtype.itemsize) if dtype is not None else 0
        if not count:
            return f"{head} {nbytes_text(total)}"
        first = _values(np.frombuffer(raw[: count * dtype.itemsize], dtype))
    else:
        values = literal.replace("[", "").replace("]", "").split(",")
        total = size * dtype.itemsize if dtype is not None else 0
        first = ", ".join(v.strip() for v in values[:SHOWN_VALUES])
    return f"{head} {nbytes_text(total)}: {first}, …"


def elide_stablehlo_constants(text: str) -> str:
    """StableHLO text with every long ``dense<...>`` literal replaced by ``dense<…>`` and a
    ``// elided: f32[512,512] 1.0 MiB: 0.1, …`` comment at the end of its line."""

    def line(ln: str) -> str:
        notes: list[str] = []

        def sub(m: re.Match) -> str:
            if len(m.group(1)) <= DENSE_LIMIT:
                return m.group(0)
            notes.append(_dense_summary(m.group(1), m.group(3)))
            return "dense<…>" + (m.group(2) or "")

        out = _DENSE.sub(sub, ln)
        return f"{out}  // elided: {'; '.join(notes)}" if notes else out

    if "dense<" not in text:
        return text
    return "\n".join(line(ln) if "dense<" in ln else ln for ln in text.split("\n"))
