"""The README's run command starts JupyterLab on localhost with token authentication on."""

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from jaxscope._lab import lab_command, main

_EMPTY_NOTEBOOK = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as err:
        return err.code


def test_command_binds_localhost_and_keeps_auth(tmp_path):
    (tmp_path / "00-start-here.ipynb").write_text("{}")
    cmd = lab_command(tmp_path, port=9999, open_browser=False)
    assert "--ServerApp.ip=127.0.0.1" in cmd
    assert not any("token=" in part or "password" in part.lower() for part in cmd)
    assert not any("disable_check_xsrf" in part for part in cmd)
    assert cmd[-1] == "--LabApp.default_url=/lab/tree/00-start-here.ipynb"


def test_kernels_allocate_gpu_memory_on_demand_unless_told_otherwise(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, env: calls.append(env) or 0)
    monkeypatch.delenv("XLA_PYTHON_CLIENT_PREALLOCATE", raising=False)
    assert main(str(tmp_path)) == 0
    monkeypatch.setenv("XLA_PYTHON_CLIENT_PREALLOCATE", "true")
    assert main(str(tmp_path)) == 0
    assert [env["XLA_PYTHON_CLIENT_PREALLOCATE"] for env in calls] == ["false", "true"]
    assert calls[0]["PATH"] == os.environ["PATH"]


def test_missing_workspace_is_a_clear_error(tmp_path, capsys):
    assert main(str(tmp_path / "nowhere")) == 2
    assert "python -m jaxscope workspace" in capsys.readouterr().err


def test_unauthenticated_requests_are_refused(tmp_path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "00-start-here.ipynb").write_text(json.dumps(_EMPTY_NOTEBOOK))
    runtime = tmp_path / "runtime"
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        HOME=str(tmp_path / "home"),
    )
    port = _free_port()
    server = subprocess.Popen(
        lab_command(workspace, port=port, open_browser=False),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        info = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and info is None:
            for path in runtime.glob("jpserver-*.json"):
                info = json.loads(path.read_text())
            time.sleep(0.3)
        assert info is not None, "JupyterLab did not start"
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while _status(f"{base}/api/status?token={info['token']}") != 200:
            assert time.monotonic() < deadline, "JupyterLab never answered"
            time.sleep(0.3)
        assert info["token"], "JupyterLab started without a token"
        assert _status(f"{base}/api/contents") == 403
        assert _status(f"{base}/api/contents?token=wrong-{info['token']}") == 403
        assert _status(f"{base}/api/contents?token={info['token']}") == 200
        # the URL JupyterLab prints opens the first notebook
        with urllib.request.urlopen(f"{base}/?token={info['token']}", timeout=10) as reply:
            assert reply.url.split("?")[0] == f"{base}/lab/tree/00-start-here.ipynb"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    assert Path(workspace).is_dir()
