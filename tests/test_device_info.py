"""The device banner: its facts, line formats, escaping and the one-line form."""

import re

import jax

import jaxscope as js
from jaxscope._device_info import DeviceInfoView, device_model


class FakeDevice:
    def __init__(self, i, kind="cpu", platform="cpu"):
        self.id, self.device_kind, self.platform = i, kind, platform

    def __str__(self):
        return f"{self.platform}:{self.id}"


def _model(devices, platform="cpu", **extra):
    facts = dict(
        platform=platform,
        devices=devices,
        process_index=0,
        process_count=1,
        x64=False,
        float_dtype="float32",
        int_dtype="int32",
        jax_version="0.10.2",
        jaxlib_version="0.10.2",
    )
    facts.update(extra)
    return device_model(**facts)


def test_text_has_regular_lines():
    view = js.device_info()
    text = view.text()
    lines = text.splitlines()
    assert lines[0] == "jaxscope device info"
    assert f"platform: {jax.default_backend()}" in lines
    assert re.search(r"^devices: \d+ × \S", text, re.M)
    assert f"x64: {'on' if jax.config.jax_enable_x64 else 'off'} (jax_enable_x64=" in text
    assert f"jax: {jax.__version__}, jaxlib: " in text
    assert "default dtypes: float -> float" in text
    if jax.default_backend() == "cpu":
        assert "memory: not reported on CPU" in lines


def test_banner_is_one_line():
    view = js.device_info()
    banner = view.banner()
    assert "\n" not in banner
    assert banner.startswith(f"jaxscope {js.__version__} · jax {jax.__version__} · ")
    assert re.search(r"· \w+ ×\d+( simulated)? \(.+\) · x64 (on|off)$", banner)
    short = js.device_info(short=True)
    assert short.text() == banner
    assert "<table" not in short.html()


def test_simulated_devices_are_named():
    d = _model([FakeDevice(i) for i in range(8)], num_cpu_devices=8)
    view = DeviceInfoView(d)
    assert "devices: 8 × cpu (simulated: jax_num_cpu_devices=8)" in view.text()
    assert "device ids: cpu:0 … cpu:7" in view.text()
    assert "cpu ×8 simulated (cpu:0 … cpu:7)" in view.banner()
    d = _model(
        [FakeDevice(i) for i in range(4)], xla_flags="--xla_force_host_platform_device_count=4"
    )
    assert (
        "simulated: XLA_FLAGS --xla_force_host_platform_device_count=4" in DeviceInfoView(d).text()
    )


def test_gpu_facts_and_memory():
    devs = [FakeDevice(i, "NVIDIA H100", "gpu") for i in range(2)]
    d = _model(devs, platform="gpu", memory_stats={"bytes_limit": 80 * 1024**3})
    view = DeviceInfoView(d)
    assert "devices: 2 × NVIDIA H100" in view.text()
    assert "simulated" not in view.text()
    assert "memory: 80.0 GiB limit per device" in view.text()
    assert "gpu ×2 (NVIDIA H100)" in view.banner()
    assert "memory: not reported" in DeviceInfoView(_model(devs, platform="gpu")).text()


def test_html_is_escaped():
    evil = '"><img onerror=x><script>'
    d = _model([FakeDevice(0, kind=evil)], jax_version=evil)
    html = DeviceInfoView(d).html()
    assert "<script>" not in html.replace("<style>", "")
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'class="jxs jxs-device_info"' in html


def test_bad_argument():
    import pytest

    with pytest.raises(TypeError, match="short"):
        js.device_info(short="yes")
