"""A throwaway local JupyterHub running classroom/jupyterhub_config.py, for the classroom tests
and the load benchmark (tests/test_classroom.py, benchmarks/classroom_load.py).

Never for a real class: it logs users in with JupyterHub's dummy authenticator (one random
password per hub, shared by every user) and runs every learner's server as the current user
(``SimpleLocalProcessSpawner``, homes under a temporary folder). Everything listens on
127.0.0.1 on free ports; ``LocalHub`` stops the hub, its proxy, services and servers on exit.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "classroom" / "jupyterhub_config.py"
PROXY = ROOT / ".cache" / "npm" / "node_modules" / ".bin" / "configurable-http-proxy"
PROXY_INSTALL = "npm install --prefix .cache/npm configurable-http-proxy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proxy_command() -> str:
    """The configurable-http-proxy to run (the repository's local install, else PATH)."""
    if PROXY.exists():
        return str(PROXY)
    found = shutil.which("configurable-http-proxy")
    if not found:
        raise RuntimeError(f"configurable-http-proxy is not installed; run `{PROXY_INSTALL}`")
    return found


class LocalHub:
    """``with LocalHub(tmp, course, teachers, learners) as hub:`` a running hub at ``hub.url``."""

    def __init__(
        self,
        folder: Path,
        course: Path,
        teachers: list[str],
        learners: list[str],
        idle_timeout: int = 3600,
    ):
        self.folder = Path(folder)
        self.course = Path(course)
        self.teachers, self.learners = teachers, learners
        self.idle_timeout = idle_timeout
        self.password = secrets.token_urlsafe(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = self.folder / "jupyterhub.log"

    def home(self, user: str) -> Path:
        return self.folder / "home" / user

    def _write_config(self) -> Path:
        path = self.folder / "test_config.py"
        home = self.folder / "home" / "{username}"
        path.write_text(
            f"c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(CONFIG)!r})  # noqa: F821\n"
            f"c.JupyterHub.authenticator_class = 'dummy'\n"
            f"c.DummyAuthenticator.password = {self.password!r}\n"
            f"c.JupyterHub.spawner_class = 'simple'\n"
            f"c.SimpleLocalProcessSpawner.home_dir_template = {str(home)!r}\n"
            f"c.JupyterHub.bind_url = {self.url!r}\n"
            f"c.JupyterHub.hub_bind_url = 'http://127.0.0.1:{free_port()}'\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{free_port()}'\n"
            f"c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]\n"
            f"c.JupyterHub.db_url = 'sqlite:///{self.folder / 'jupyterhub.sqlite'}'\n"
            f"c.JupyterHub.cookie_secret_file = {str(self.folder / 'cookie_secret')!r}\n"
            f"c.JupyterHub.pid_file = {str(self.folder / 'jupyterhub.pid')!r}\n"
            "c.JupyterHub.cleanup_servers = True\n"
            # containers and CI run as root, which jupyter-server refuses without the flag
            f"c.Spawner.args = {['--allow-root'] if os.geteuid() == 0 else []!r}\n"
        )
        return path

    def environ(self) -> dict[str, str]:
        env = dict(os.environ)
        bindir = str(Path(sys.executable).parent)
        env.update(
            PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}",
            PYTHONPATH=os.pathsep.join(
                p for p in (str(ROOT / "widgets"), env.get("PYTHONPATH", "")) if p
            ),
            JAXSCOPE_TEACHERS=",".join(self.teachers),
            JAXSCOPE_LEARNERS=",".join(self.learners),
            JAXSCOPE_COURSE=str(self.course),
            JAXSCOPE_IDLE_TIMEOUT=str(self.idle_timeout),
            JAXSCOPE_HUB_URL=self.url,
            JAXSCOPE_DASHBOARD_PORT=str(free_port()),
            JAXSCOPE_DASHBOARD_STATE=str(self.folder / "dashboard-state.json"),
            JAXSCOPE_PYTHON=sys.executable,
            JUPYTER_DATA_DIR=str(self.folder / "jupyter-data"),
        )
        return env

    def __enter__(self) -> LocalHub:
        (self.folder / "home").mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)],
                cwd=self.folder,
                env=self.environ(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError(f"jupyterhub did not answer in 90 s:\n{self.log_tail()}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # the hub stops its servers, services and proxy
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def login(self, name: str) -> User:
        return User(self, name)


class User:
    """One user's browser session (cookies) and API token on the hub."""

    def __init__(self, hub: LocalHub, name: str):
        self.hub, self.name = hub, name
        self.session = requests.Session()
        self.session.get(f"{hub.url}/hub/login", timeout=30)
        xsrf = self.session.cookies.get("_xsrf", "")
        r = self.session.post(
            f"{hub.url}/hub/login",
            data={"username": name, "password": hub.password, "_xsrf": xsrf},
            allow_redirects=False,
            timeout=30,
        )
        if r.status_code != 302:
            raise RuntimeError(f"{name} could not log in: HTTP {r.status_code}")
        # a token of the user's own (their permissions), for the hub and server APIs
        r = self.session.post(
            f"{hub.url}/hub/api/users/{name}/tokens",
            json={"note": "classroom test"},
            headers={"X-XSRFToken": self.session.cookies.get("_xsrf", xsrf)},
            timeout=30,
        )
        r.raise_for_status()
        self.token = r.json()["token"]
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"token {self.token}"

    @property
    def server(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def page(self, path: str) -> requests.Response:
        """A page as the browser would get it (cookies, redirects followed)."""
        return self.session.get(f"{self.hub.url}{path}", timeout=60)

    def start(self, timeout: float = 180) -> float:
        """Start the user's server and wait until it answers; seconds it took."""
        t0 = time.monotonic()
        r = self.api.post(f"{self.hub.url}/hub/api/users/{self.name}/server", timeout=30)
        if r.status_code not in (201, 202, 400):  # 400: already running
            r.raise_for_status()
        self.wait_ready(timeout)
        return time.monotonic() - t0

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api.get(f"{self.hub.url}/hub/api/users/{self.name}", timeout=30).json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise TimeoutError(f"{self.name}'s server not ready in {timeout} s")

    def stop(self, timeout: float = 60) -> None:
        self.api.delete(f"{self.hub.url}/hub/api/users/{self.name}/server", timeout=30)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api.get(f"{self.hub.url}/hub/api/users/{self.name}", timeout=30).json()
            if not model.get("servers"):
                return
            time.sleep(0.5)
        raise TimeoutError(f"{self.name}'s server did not stop in {timeout} s")

    def contents(self, path: str) -> dict[str, Any]:
        r = self.api.get(f"{self.server}/api/contents/{path}", timeout=60)
        r.raise_for_status()
        return r.json()

    def put_notebook(self, path: str, nb: dict[str, Any]) -> None:
        body = {"type": "notebook", "format": "json", "content": nb}
        self.api.put(f"{self.server}/api/contents/{path}", json=body, timeout=60).raise_for_status()

    def put_text(self, path: str, text: str) -> None:
        body = {"type": "file", "format": "text", "content": text}
        self.api.put(f"{self.server}/api/contents/{path}", json=body, timeout=60).raise_for_status()

    def execute(self, code: str, timeout: float = 600) -> str:
        """Run ``code`` in a new kernel on the user's server (REST + kernel websocket); its
        stdout. Raises RuntimeError with the traceback if the code fails."""
        import websocket

        r = self.api.post(f"{self.server}/api/kernels", json={"name": "python3"}, timeout=60)
        r.raise_for_status()
        kid = r.json()["id"]
        session = uuid.uuid4().hex
        ws_url = self.server.replace("http://", "ws://") + f"/api/kernels/{kid}/channels"
        ws_url += f"?session_id={session}"  # the server buffers a session's messages if it drops

        def connect():
            return websocket.create_connection(
                ws_url, header=[f"Authorization: token {self.token}"], timeout=timeout
            )

        conn = connect()
        try:
            msg_id = uuid.uuid4().hex
            conn.send(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "msg_type": "execute_request",
                            "username": self.name,
                            "session": session,
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "content": {"code": code, "silent": False, "store_history": False},
                        "channel": "shell",
                        "buffers": [],
                    }
                )
            )
            out, error, idle, replied, drops = [], None, False, False, 0
            while not (idle and replied):
                try:
                    msg = json.loads(conn.recv())
                except websocket.WebSocketConnectionClosedException:
                    drops += 1  # e.g. a missed ping on a loaded machine: reconnect, same session
                    if drops > 3:
                        raise
                    conn = connect()
                    continue
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    out.append(content["text"])
                elif kind == "error":
                    error = "\n".join(content["traceback"])
                elif kind == "status" and content["execution_state"] == "idle":
                    idle = True
                elif kind == "execute_reply":
                    replied = True
        finally:
            conn.close()
            self.api.delete(f"{self.server}/api/kernels/{kid}", timeout=60)
        if error:
            raise RuntimeError(f"the code failed in {self.name}'s kernel:\n{error}")
        return "".join(out)


def check_code(workspace: str, notebook: str) -> str:
    """Kernel code that runs the curriculum check of ``notebook`` in ``workspace`` (a path on
    the learner's server, ``~`` allowed) with ``python -m jaxscope progress``, which writes the
    workspace's progress record; prints the summary, raises if the check could not run."""
    return f"""
import os, subprocess, sys
done = subprocess.run(
    [sys.executable, "-m", "jaxscope", "progress", "--workspace",
     os.path.expanduser({workspace!r}), {notebook!r}],
    capture_output=True, text=True,
)
print(done.stdout)
if done.returncode:
    raise RuntimeError(f"the check exited with {{done.returncode}}: {{done.stderr[-3000:]}}")
"""
