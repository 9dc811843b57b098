"""Honest timing of several implementations (eager, jit, NumPy, ...) on the same arguments.

``timeit(f, jax.jit(f), np_f, args=(x,))`` times each candidate the same way:

1. the **first call**, on its own. For JAX code this includes tracing and XLA compilation; the
   compile part is read from JAX's own compile events (``jax.monitoring``) recorded during that
   call, so it is the real compile the first call paid. (Timing ``.lower(*args).compile()``
   instead would either hit JAX's compile cache after the first call, or fill that cache so the
   first call no longer compiles.) When nothing was compiled (the function ran before with these
   shapes) the compile column says ``cached``; when JAX's persistent compilation cache supplied
   the program, the time shown is loading it from disk, and the column says so.
2. ``warmup`` further calls, not timed;
3. ``repeat`` rounds of ``number`` calls each, timed with ``time.perf_counter``. Every call's result
   goes through ``jax.block_until_ready`` (a no-op for NumPy results), so asynchronous dispatch
   cannot hide work. When ``number`` is not given it is chosen so that a round takes at least
   about 20 ms (at most 10,000 calls per round).

Per call times are reported as median, min and the p25–p75 spread over the rounds, with the
speedup of each candidate relative to the first (or ``baseline=``): ``baseline median / median``.

Timings differ from run to run, so the text and HTML are not deterministic. Their structure is:
every duration is written by :func:`format_seconds` and matches ``\\d+(\\.\\d+)? (ns|µs|ms|s)``;
every speedup is written by :func:`format_speedup` and matches ``×\\d+(\\.\\d+)?``; the call
counts read ``<number> × <repeat>`` (``\\d+ × \\d+``). A sanitiser may replace those three
patterns to compare the rest. The SVG chart's bar lengths follow the numbers, so an nbval
sanitiser should replace ``<svg ...</svg>`` as a whole.
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

from ._errors import first_lines, fn_name, require_callable, short_repr
from ._view import View, esc

TARGET_ROUND_S = 0.02  # auto-chosen number: a round lasts at least this long
MAX_NUMBER = 10_000
_COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"
_DISK_HIT_EVENT = "/jax/compilation_cache/cache_hits"  # also timed as a "compile"
_TRACE_EVENTS = (
    "/jax/core/compile/jaxpr_trace_duration",
    "/jax/core/compile/jaxpr_to_mlir_module_duration",
)


# --- formatting --------------------------------------------------------------------------------
def format_seconds(seconds: float) -> str:
    """A duration with three significant digits and a unit: ``850 ns``, ``12.3 µs``, ``1.23 s``."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"format_seconds needs a finite duration >= 0, got {seconds!r}")
    units = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))
    for i, (unit, scale) in enumerate(units):
        if seconds >= scale or unit == "ns":
            value = seconds / scale
            if round(value, 1) >= 100:
                text = f"{value:.0f}"
            elif round(value, 2) >= 10:
                text = f"{value:.1f}"
            else:
                text = f"{value:.2f}"
            if float(text) >= 1000 and i > 0:  # 999.7 µs rounds to 1000 µs: move up a unit
                return f"1.00 {units[i - 1][0]}"
            return f"{text} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def format_speedup(ratio: float) -> str:
    """A speedup ratio: ``×12.3``, ``×1.00``, ``×0.52``."""
    if ratio >= 100:
        return f"×{ratio:.0f}"
    if ratio >= 10:
        return f"×{ratio:.1f}"
    return f"×{ratio:.2f}"


# --- measuring ---------------------------------------------------------------------------------
class _CompileEvents:
    """Collects JAX's compile-duration events while active (a context manager)."""

    def __init__(self) -> None:
        self.compile_s = 0.0
        self.trace_s = 0.0
        self.compiles = 0
        self.disk_hits = 0

    def _event(self, event: str, **_: Any) -> None:
        if event == _DISK_HIT_EVENT:
            self.disk_hits += 1

    def __call__(self, event: str, duration: float, **_: Any) -> None:
        if event == _COMPILE_EVENT:
            self.compile_s += duration
            self.compiles += 1
        elif event in _TRACE_EVENTS:
            self.trace_s += duration

    def __enter__(self) -> _CompileEvents:
        import jax.monitoring

        jax.monitoring.register_event_duration_secs_listener(self)
        jax.monitoring.register_event_listener(self._event)
        return self

    def __exit__(self, *exc: Any) -> None:
        import jax.monitoring

        for unregister, listener in (
            (jax.monitoring.unregister_event_duration_listener, self),
            (jax.monitoring.unregister_event_listener, self._event),
        ):
            try:
                unregister(listener)
            except Exception:  # noqa: BLE001 - never let bookkeeping hide a result
                pass


def _device_of(result: Any) -> str:
    """Where a result lives: ``cpu``, ``gpu (<kind>)``, ``host (NumPy)`` or ``host (Python)``."""
    import jax
    import numpy as np

    leaves = jax.tree.leaves(result)
    for leaf in leaves:
        if isinstance(leaf, jax.Array):
            try:
                dev = sorted(leaf.devices(), key=lambda d: d.id)[0]
            except Exception:  # noqa: BLE001
                dev = jax.devices()[0]
            kind = str(dev.device_kind)
            return dev.platform if kind.lower() == dev.platform else f"{dev.platform} ({kind})"
    if any(isinstance(leaf, np.ndarray | np.generic) for leaf in leaves):
        return "host (NumPy)"
    return "host (Python)"


def _call(fn: Any, args: tuple, kwargs: dict) -> Any:
    import jax

    return jax.block_until_ready(fn(*args, **kwargs))


def _round(fn: Any, args: tuple, kwargs: dict, number: int) -> float:
    """Seconds per call over one round of ``number`` blocked calls."""
    import jax

    start = time.perf_counter()
    for _ in range(number):
        jax.block_until_ready(fn(*args, **kwargs))
    return (time.perf_counter() - start) / number


def _auto_number(fn: Any, args: tuple, kwargs: dict) -> int:
    """Calls per round so that a round lasts at least ``TARGET_ROUND_S`` (capped)."""
    number = 1
    while True:
        per_call = _round(fn, args, kwargs, number)
        if per_call * number >= TARGET_ROUND_S or number >= MAX_NUMBER:
            return number
        if per_call > 0:
            wanted = math.ceil(TARGET_ROUND_S / per_call * 1.2)
            number = min(MAX_NUMBER, max(number * 2, wanted))
        else:
            number = min(MAX_NUMBER, number * 10)


def _quartiles(times: list[float]) -> tuple[float, float]:
    if len(times) < 2:
        return times[0], times[0]
    q = statistics.quantiles(times, n=4, method="inclusive")
    return q[0], q[2]


def _label(fn: Any) -> str:
    name = fn_name(fn)
    if callable(getattr(fn, "lower", None)) and callable(getattr(fn, "trace", None)):
        return f"jit({name})"
    return name


def _error_info(exc: BaseException, fn: Any) -> dict[str, str]:
    from ._explain import explain, safe_str

    try:
        info = explain(exc, fn) or {}
    except Exception:  # noqa: BLE001 - an explanation must never hide the error itself
        info = {}
    message = first_lines(safe_str(exc), 2)
    explanation = info.get("explanation", "") or ""
    if explanation.strip() in message:  # no plain-words explanation beyond the message itself
        explanation = ""
    return {
        "type": type(exc).__name__,
        "message": message,
        "explanation": explanation,
        "fix": info.get("fix", "") or "",
    }


def measure(
    fn: Any, label: str, args: tuple, kwargs: dict, number: int | None, repeat: int, warmup: int
) -> dict[str, Any]:
    """Time one candidate; a candidate that raises gives a row with ``error`` set."""
    row: dict[str, Any] = {"label": label, "error": None}
    jitted = callable(getattr(fn, "lower", None)) and callable(getattr(fn, "trace", None))
    row["jitted"] = jitted
    try:
        with _CompileEvents() as events:
            start = time.perf_counter()
            result = _call(fn, args, kwargs)
            first = time.perf_counter() - start
        row["first_call_s"] = first
        row["compiles"] = events.compiles
        row["disk_cache_hits"] = min(events.disk_hits, events.compiles)
        row["compile_s"] = events.compile_s if events.compiles else None
        row["trace_s"] = events.trace_s if events.compiles else None
        row["device"] = _device_of(result)
        for _ in range(warmup):
            _call(fn, args, kwargs)
        n = number if number is not None else _auto_number(fn, args, kwargs)
        times = [_round(fn, args, kwargs, n) for _ in range(repeat)]
    except Exception as exc:  # noqa: BLE001 - one failing candidate must not stop the others
        row["error"] = _error_info(exc, fn)
        return row
    p25, p75 = _quartiles(times)
    row.update(
        number=n,
        repeat=repeat,
        times_s=times,
        median_s=statistics.median(times),
        min_s=min(times),
        p25_s=p25,
        p75_s=p75,
    )
    return row


# --- argument checking -------------------------------------------------------------------------
def _candidates(fns: tuple, names: Any) -> list[tuple[str, Any]]:
    if not fns:
        raise TypeError(
            "timeit needs at least one function, e.g. js.timeit(f, jax.jit(f), args=(x,))"
        )
    if len(fns) == 1 and isinstance(fns[0], dict):
        if names is not None:
            raise TypeError(
                "names= cannot be combined with a dict of candidates: the keys are the names"
            )
        if not fns[0]:
            raise TypeError("the dict of candidates is empty; give it {'label': function, ...}")
        pairs = []
        for key, fn in fns[0].items():
            require_callable(fn, f"fns[{key!r}]")
            pairs.append((str(key), fn))
        return pairs
    for i, fn in enumerate(fns):
        if isinstance(fn, dict):
            raise TypeError(
                f"fns[{i}] is a dict; pass either functions or one dict {{'label': fn}}, not both"
            )
        require_callable(fn, f"fns[{i}]")
    if names is None:
        labels = [_label(fn) for fn in fns]
    else:
        if isinstance(names, str) or not isinstance(names, (list, tuple)):
            raise TypeError(f"names must be a list of strings, got {type(names).__name__}")
        if len(names) != len(fns):
            raise ValueError(f"names has {len(names)} entries for {len(fns)} functions")
        labels = [str(n) for n in names]
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return list(zip(unique, fns, strict=True))


def _check_int(value: Any, name: str, low: int, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {short_repr(value)}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")


def _args_summary(args: tuple, kwargs: dict) -> str:
    import jax

    def one(x: Any) -> str:
        shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
        if shape is not None and dtype is not None:
            return f"{dtype}[{','.join(str(s) for s in shape)}]"
        return short_repr(x, 24)

    parts = [", ".join(one(leaf) for leaf in jax.tree.leaves(a)) or "()" for a in args]
    parts += [f"{k}={one(v)}" for k, v in kwargs.items()]
    return ", ".join(parts) or "no arguments"


# --- view --------------------------------------------------------------------------------------
class TimeitView(View):
    """Timings of several candidates: table, bar chart and the numbers."""

    kind = "timeit"
    styles = ("timeit",)

    @property
    def results(self) -> list[dict[str, Any]]:
        """One dict per candidate (seconds per call); rows that failed carry ``error``."""
        return [dict(r) for r in self.data["rows"]]

    def _row(self, label: str) -> dict[str, Any]:
        for row in self.data["rows"]:
            if row["label"] == label:
                return row
        labels = ", ".join(repr(r["label"]) for r in self.data["rows"])
        raise KeyError(f"no candidate named {label!r}; the labels are {labels}")

    def median(self, label: str) -> float:
        """Median seconds per call of the candidate ``label``."""
        row = self._row(label)
        if row["error"]:
            raise ValueError(f"{label!r} failed ({row['error']['type']}); it has no timing")
        return row["median_s"]

    def speedup(self, label: str) -> float | None:
        """Baseline median / this median (None when either failed)."""
        return self._row(label).get("speedup")

    def plot(self):
        """A matplotlib Figure of the medians with p25–p75 bars (matplotlib loads only here)."""
        from matplotlib.figure import Figure

        rows = [r for r in self.data["rows"] if not r["error"]]
        fig = Figure(figsize=(6, 0.5 + 0.45 * max(1, len(rows))))
        ax = fig.add_subplot()
        ys = list(range(len(rows)))[::-1]
        med = [r["median_s"] for r in rows]
        lo = [r["median_s"] - r["p25_s"] for r in rows]
        hi = [r["p75_s"] - r["median_s"] for r in rows]
        ax.barh(ys, med, xerr=[lo, hi], color="#1a73e8", capsize=3)
        ax.set_yticks(ys, [r["label"] for r in rows])
        ax.set_xlabel("seconds per call (median, p25–p75)")
        ax.set_xscale("log" if med and max(med) / max(min(med), 1e-12) > 50 else "linear")
        for y, r in zip(ys, rows, strict=True):
            ax.annotate(
                format_seconds(r["median_s"]),
                (r["median_s"], y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        fig.tight_layout()
        return fig

    # --- rendering ---------------------------------------------------------------------------
    @staticmethod
    def _first_text(row: dict[str, Any]) -> str:
        text = format_seconds(row["first_call_s"])
        if row.get("compiles"):
            loaded = row.get("disk_cache_hits") == row["compiles"]
            text += " (includes cache load)" if loaded else " (includes compile)"
        return text

    @staticmethod
    def _compile_text(row: dict[str, Any]) -> str:
        if not row.get("compiles"):
            return "cached" if row.get("jitted") else "-"
        text = format_seconds(row["compile_s"])
        hits, compiles = row.get("disk_cache_hits", 0), row["compiles"]
        if hits == compiles:
            return text + " (loaded from disk cache)"
        return text + f" ({hits} of {compiles} from disk cache)" if hits else text

    @staticmethod
    def _speed_text(row: dict[str, Any], baseline: str) -> str:
        if row.get("speedup") is None:
            return "-"
        text = format_speedup(row["speedup"])
        return text + " (baseline)" if row["label"] == baseline else text

    def _table(self) -> list[list[str]]:
        d = self.data
        table = []
        for r in d["rows"]:
            if r["error"]:
                e = r["error"]
                msg = e["message"].splitlines()[0] if e["message"] else ""
                table.append([r["label"], f"error: {e['type']}: {msg}"])
                continue
            table.append(
                [
                    r["label"],
                    format_seconds(r["median_s"]),
                    format_seconds(r["min_s"]),
                    f"{format_seconds(r['p25_s'])} – {format_seconds(r['p75_s'])}",
                    f"{r['number']} × {r['repeat']}",
                    self._first_text(r),
                    self._compile_text(r),
                    self._speed_text(r, d["baseline"]),
                    r["device"],
                ]
            )
        return table

    HEADERS = (
        "candidate",
        "median",
        "min",
        "p25 – p75",
        "calls",
        "first call",
        "compile",
        "speedup",
        "device",
    )

    def _intro(self) -> str:
        d = self.data
        return (
            f"timeit: {len(d['rows'])} candidates on ({d['args']}); time per call, "
            f"{d['repeat']} rounds after {d['warmup']} warm-up call(s); every result blocked "
            f"until ready; speedup = {d['baseline']!r} median / median"
        )

    def text(self) -> str:
        table = self._table()
        full = [r for r in table if len(r) == len(self.HEADERS)]
        widths = [max([len(h)] + [len(r[i]) for r in full]) for i, h in enumerate(self.HEADERS)]
        lines = [self._intro()]
        lines.append(
            "  " + "  ".join(h.ljust(w) for h, w in zip(self.HEADERS, widths, strict=True)).rstrip()
        )
        for r in table:
            if len(r) == len(self.HEADERS):
                lines.append(
                    "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                )
            else:
                lines.append(f"  {r[0].ljust(widths[0])}  {r[1]}")
        for r in self.data["rows"]:
            if r["error"] and (r["error"]["explanation"] or r["error"]["fix"]):
                e = r["error"]
                lines.append(f"  {r['label']}: {e['explanation']} {e['fix']}".rstrip())
        return "\n".join(lines)

    def svg(self) -> str:
        """A horizontal bar chart of the medians (p25–p75 whiskers), laid out from the numbers."""
        rows = [r for r in self.data["rows"] if not r["error"]]
        label_w, bar_w, value_w, row_h, pad = 150, 300, 80, 22, 6
        width = label_w + bar_w + value_w
        height = pad * 2 + row_h * max(1, len(rows))
        top = max([r["p75_s"] for r in rows] + [1e-12])
        parts = [
            f'<svg class="jxs-timeit-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="median time per call">'
        ]
        for i, r in enumerate(rows):
            y = pad + i * row_h
            length = max(1.0, bar_w * r["median_s"] / top)
            x25 = label_w + bar_w * r["p25_s"] / top
            x75 = label_w + bar_w * r["p75_s"] / top
            mid = y + row_h / 2
            label = r["label"] if len(r["label"]) <= 22 else r["label"][:21] + "…"
            parts.append(
                f'<text class="jxs-timeit-label" x="{label_w - 6}" y="{mid + 4:.1f}" '
                f'text-anchor="end">{esc(label)}</text>'
                f'<rect class="jxs-timeit-bar" x="{label_w}" y="{y + 4}" width="{length:.1f}" '
                f'height="{row_h - 8}"><title>{esc(r["label"])}: '
                f"{esc(format_seconds(r['median_s']))}</title></rect>"
                f'<line class="jxs-timeit-whisker" x1="{x25:.1f}" x2="{x75:.1f}" '
                f'y1="{mid:.1f}" y2="{mid:.1f}"/>'
                f'<text class="jxs-timeit-value" x="{label_w + length + 4:.1f}" '
                f'y="{mid + 4:.1f}">{esc(format_seconds(r["median_s"]))}</text>'
            )
        parts.append("</svg>")
        return "".join(parts)

    def html_body(self) -> str:
        table = self._table()
        head = "".join(f"<th>{esc(h)}</th>" for h in self.HEADERS)
        body = []
        for r in table:
            if len(r) == len(self.HEADERS):
                cells = [f"<td>{esc(r[0])}</td>"]
                cells += [f'<td class="jxs-num">{esc(c)}</td>' for c in r[1:8]]
                cells.append(f"<td>{esc(r[8])}</td>")
                body.append(f"<tr>{''.join(cells)}</tr>")
            else:
                body.append(
                    f'<tr class="jxs-timeit-error"><td>{esc(r[0])}</td>'
                    f'<td colspan="{len(self.HEADERS) - 1}">{esc(r[1])}</td></tr>'
                )
        notes = "".join(
            f'<div class="jxs-timeit-explain"><b>{esc(r["label"])}:</b> '
            f"{esc(r['error']['explanation'])} {esc(r['error']['fix'])}</div>"
            for r in self.data["rows"]
            if r["error"] and (r["error"]["explanation"] or r["error"]["fix"])
        )
        return (
            f'<div class="jxs-head">{esc(self._intro())}</div>'
            f'<table class="jxs-table jxs-timeit-table"><tr>{head}</tr>{"".join(body)}</table>'
            f"{notes}{self.svg()}"
        )


def timeit(
    *fns: Any,
    args: tuple = (),
    kwargs: dict[str, Any] | None = None,
    number: int | None = None,
    repeat: int = 7,
    warmup: int = 1,
    names: list[str] | None = None,
    baseline: str | None = None,
) -> TimeitView:
    """Time each candidate on ``args``: first call (with compile), then median/min/spread.

    Candidates are functions (``timeit(f, jax.jit(f), args=(x,))``) or one dict
    ``{"label": fn}``. ``speedup`` is relative to the first candidate, or to ``baseline``.
    """
    if not isinstance(args, tuple):
        raise TypeError(
            f"args must be a tuple of positional arguments, got {type(args).__name__}; "
            f"for one argument write args=(x,)"
        )
    if kwargs is None:
        kwargs = {}
    if not isinstance(kwargs, dict):
        raise TypeError(f"kwargs must be a dict of keyword arguments, got {type(kwargs).__name__}")
    _check_int(repeat, "repeat", 1)
    _check_int(warmup, "warmup", 0)
    _check_int(number, "number", 1, allow_none=True)
    pairs = _candidates(fns, names)
    labels = [label for label, _ in pairs]
    if baseline is None:
        baseline = labels[0]
    elif baseline not in labels:
        raise ValueError(f"baseline={baseline!r} is not a candidate; choose one of {labels}")
    rows = [measure(fn, label, args, kwargs, number, repeat, warmup) for label, fn in pairs]
    base = next(r for r in rows if r["label"] == baseline)
    for r in rows:
        ok = not r["error"] and not base["error"] and r["median_s"] > 0
        r["speedup"] = base["median_s"] / r["median_s"] if ok else None
    return TimeitView(
        {
            "rows": rows,
            "baseline": baseline,
            "repeat": repeat,
            "warmup": warmup,
            "args": _args_summary(args, kwargs),
        }
    )
