"""The device banner: which platform and devices JAX runs on, versions and numeric flags.

``device_info()`` returns a :class:`DeviceInfoView`; ``device_info().banner()`` (or
``device_info(short=True)``) is the one-line form. The facts are device-specific, so notebooks
sanitise them for nbval; the formats below are fixed so that a regex can do it.

Text lines (``text()``), in this order, each ``name: value``::

    platform: <backend>[ (<gpu note>)]        e.g. ``platform: cpu``, ``platform: gpu``
    devices: <n> × <kind>[, <n> × <kind>][ (simulated: <how>)]
                                  e.g. ``devices: 8 × cpu (simulated: jax_num_cpu_devices=8)``
    device ids: <first>[ … <last>]            e.g. ``device ids: cpu:0 … cpu:7``
    processes: <count> (this is process <index>)
    memory: <text>                            ``not reported on CPU``, ``not reported``, or
                                              ``<x.y> GiB limit per device``
    jax: <version>, jaxlib: <version>
    x64: on|off (jax_enable_x64=True|False)
    default dtypes: float -> <dtype>, int -> <dtype>

The first line of the text is ``jaxscope device info``. The banner is one line::

    jaxscope <v> · jax <v> · <platform> ×<n>[ simulated] (<detail>) · x64 on|off

where ``<detail>`` is the device kind when it says more than the platform (``NVIDIA H100 ...``),
otherwise the device ids (``cpu:0`` or ``cpu:0 … cpu:7``).

When a JAX GPU plugin is installed but JAX runs on the CPU, the platform line and the banner's
detail say why (:func:`gpu_note`), inside the parts nbval's sanitiser already treats as device
facts, so a hub image shared by CPU and GPU nodes passes the curriculum check on both.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any

from ._version import __version__
from ._view import View, esc

GIB = 1024**3


def _count_kinds(kinds: list[str]) -> list[tuple[str, int]]:
    """(kind, count) pairs in order of first appearance."""
    counts = Counter(kinds)
    seen: list[str] = []
    for kind in kinds:
        if kind not in seen:
            seen.append(kind)
    return [(kind, counts[kind]) for kind in seen]


def simulated_how(platform: str, n_devices: int, num_cpu_devices: int, xla_flags: str) -> str:
    """How several CPU devices were simulated ('' when the devices are real)."""
    if platform != "cpu" or n_devices <= 1:
        return ""
    if num_cpu_devices and num_cpu_devices > 1:
        return f"jax_num_cpu_devices={num_cpu_devices}"
    match = re.search(r"--xla_force_host_platform_device_count=(\d+)", xla_flags or "")
    if match:
        return f"XLA_FLAGS --xla_force_host_platform_device_count={match.group(1)}"
    return "several host devices"


def memory_text(platform: str, stats: dict[str, Any] | None) -> str:
    """The memory line's value from device 0's ``memory_stats()``."""
    if not stats:
        return "not reported on CPU" if platform == "cpu" else "not reported"
    limit = stats.get("bytes_limit")
    if not limit:
        return "not reported"
    return f"{limit / GIB:.1f} GiB limit per device"


def gpu_note(platform: str, plugins: list[str], jax_platforms: str, fell_back: bool) -> str:
    """Why JAX runs on the CPU although a GPU plugin is installed ('' when that is not so).

    ``fell_back`` is true in kernels that jaxscope pinned to the CPU because the plugin could not
    use a GPU (:func:`jaxscope._build.cpu_fallback_env`); otherwise a ``JAX_PLATFORMS`` naming
    the CPU is the user's own choice.
    """
    if platform != "cpu" or not plugins:
        return ""
    names = ", ".join(plugins)
    if jax_platforms and not fell_back:
        return f"{names} installed; JAX_PLATFORMS={jax_platforms} keeps JAX on the CPU"
    return f"{names} installed, but no GPU could be used, so JAX runs on the CPU"


def device_model(
    *,
    platform: str,
    devices: list[Any],
    process_index: int,
    process_count: int,
    x64: bool,
    float_dtype: str,
    int_dtype: str,
    jax_version: str,
    jaxlib_version: str,
    num_cpu_devices: int = -1,
    xla_flags: str = "",
    memory_stats: dict[str, Any] | None = None,
    gpu_note: str = "",
) -> dict[str, Any]:
    """Plain data about the devices (a pure function: pass the facts in)."""
    names = [str(d) for d in devices]
    kinds = [str(getattr(d, "device_kind", platform)) for d in devices]
    return {
        "platform": platform,
        "n_devices": len(devices),
        "kinds": _count_kinds(kinds),
        "names": names,
        "simulated": simulated_how(platform, len(devices), num_cpu_devices, xla_flags),
        "process_index": process_index,
        "process_count": process_count,
        "memory": memory_text(platform, memory_stats),
        "bytes_limit": (memory_stats or {}).get("bytes_limit"),
        "jax_version": jax_version,
        "jaxlib_version": jaxlib_version,
        "jaxscope_version": __version__,
        "x64": bool(x64),
        "float_dtype": float_dtype,
        "int_dtype": int_dtype,
        "gpu_note": gpu_note,
    }


def collect() -> dict[str, Any]:
    """The model of the devices this process sees now."""
    import jax
    import jaxlib

    from ._build import CPU_FALLBACK_ENV, gpu_plugins

    devices = list(jax.devices())
    platform = jax.default_backend()
    try:
        stats = devices[0].memory_stats() if devices else None
    except Exception:  # noqa: BLE001 - some backends do not implement it
        stats = None
    return device_model(
        platform=platform,
        devices=devices,
        process_index=jax.process_index(),
        process_count=jax.process_count(),
        x64=bool(jax.config.jax_enable_x64),
        float_dtype=str(jax.dtypes.canonicalize_dtype(float)),
        int_dtype=str(jax.dtypes.canonicalize_dtype(int)),
        jax_version=jax.__version__,
        jaxlib_version=jaxlib.__version__,
        num_cpu_devices=int(getattr(jax.config, "jax_num_cpu_devices", -1) or -1),
        xla_flags=os.environ.get("XLA_FLAGS", ""),
        memory_stats=stats,
        gpu_note=gpu_note(
            platform,
            gpu_plugins(),
            os.environ.get("JAX_PLATFORMS", ""),
            bool(os.environ.get(CPU_FALLBACK_ENV)),
        ),
    )


def _ids(names: list[str]) -> str:
    if not names:
        return "(none)"
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"


def devices_value(d: dict[str, Any]) -> str:
    text = ", ".join(f"{n} × {kind}" for kind, n in d["kinds"]) or "0"
    if d["simulated"]:
        text += f" (simulated: {d['simulated']})"
    return text


def banner_text(d: dict[str, Any]) -> str:
    """The one-line banner (format in the module docstring)."""
    kinds = [kind for kind, _ in d["kinds"]]
    if kinds and any(kind.lower() != d["platform"].lower() for kind in kinds):
        detail = ", ".join(kinds)
    else:
        detail = _ids(d["names"])
    if d.get("gpu_note"):
        detail += f"; {d['gpu_note']}"
    sim = " simulated" if d["simulated"] else ""
    return (
        f"jaxscope {d['jaxscope_version']} · jax {d['jax_version']} · "
        f"{d['platform']} ×{d['n_devices']}{sim} ({detail}) · x64 {'on' if d['x64'] else 'off'}"
    )


def fact_lines(d: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, value) pairs shown by text and HTML alike."""
    return [
        ("platform", f"{d['platform']} ({d['gpu_note']})" if d.get("gpu_note") else d["platform"]),
        ("devices", devices_value(d)),
        ("device ids", _ids(d["names"])),
        ("processes", f"{d['process_count']} (this is process {d['process_index']})"),
        ("memory", d["memory"]),
        ("jax", f"{d['jax_version']}, jaxlib: {d['jaxlib_version']}"),
        ("x64", f"{'on' if d['x64'] else 'off'} (jax_enable_x64={d['x64']})"),
        ("default dtypes", f"float -> {d['float_dtype']}, int -> {d['int_dtype']}"),
    ]


class DeviceInfoView(View):
    """What JAX runs on: platform, devices, processes, memory, versions and the x64 flag."""

    kind = "device_info"
    styles = ("device_info",)

    def banner(self) -> str:
        """One line: versions, platform, device count and the x64 flag."""
        return banner_text(self.data)

    def text(self) -> str:
        if self.data.get("short"):
            return self.banner()
        lines = ["jaxscope device info"]
        lines += [f"{name}: {value}" for name, value in fact_lines(self.data)]
        return "\n".join(lines)

    def html_body(self) -> str:
        d = self.data
        sim = ""
        if d["simulated"]:
            sim = '<span class="jxs-badge jxs-device_info-sim">simulated</span>'
        banner = (
            f'<div class="jxs-device_info-banner"><span class="jxs-mono">{esc(self.banner())}'
            f"</span> {sim}</div>"
        )
        if d.get("short"):
            return banner
        rows = "".join(
            f'<tr><th scope="row">{esc(name)}</th><td class="jxs-mono">{esc(value)}</td></tr>'
            for name, value in fact_lines(d)
        )
        return f'{banner}<table class="jxs-table jxs-device_info-table">{rows}</table>'


def device_info(short: bool = False) -> DeviceInfoView:
    """The device banner: platform, devices (real or simulated), processes, memory, versions.

    ``short=True`` renders only the one-line banner (also available as ``.banner()``).
    """
    if not isinstance(short, bool):
        raise TypeError(f"short must be True or False, got {type(short).__name__}")
    data = collect()
    data["short"] = short
    return DeviceInfoView(data)
