"""The teacher dashboard: a JupyterHub service that shows where the class stands.

Run by the hub (``classroom/jupyterhub_config.py`` registers it), never by hand. On each page
load it lists the hub's users through the hub API and reads every running learner's progress
record from the learner's own server (the contents API, with the service's token: no shared
filesystem). The last good record of each learner is kept in the service's state file, so a
learner whose server is stopped shows their last known record.

Environment (the hub sets the ``JUPYTERHUB_*`` ones):

* ``JAXSCOPE_HUB_URL``: the hub's public address as the service reaches it (the proxy),
  default ``http://127.0.0.1:8000``.
* ``JAXSCOPE_WORKSPACE``: the workspace folder, relative to a learner's server root
  (default ``workspace``).
* ``JAXSCOPE_TEACHERS_GROUP``: the group whose members are teachers, not learners (default
  ``teachers``).
* ``JAXSCOPE_DASHBOARD_STATE``: the state file (default ``jaxscope-dashboard-state.json`` in
  the service's working folder).
* ``JAXSCOPE_DASHBOARD_BIND``: the address to listen on, when not the host of the service's
  URL (e.g. ``0.0.0.0`` in a container).

Pages (under the service prefix): ``/`` the dashboard, ``/progress.csv`` the CSV export.
Only users holding ``access:services!service=<this service>`` get in (the hub's roles grant it
to the teachers group); everyone else gets 403.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from tornado import ioloop, web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from .._progress import RECORD_NAME, read_record
from .._progress_view import progress_model
from .._workspace import atomic_write
from ._board import board, board_csv, board_html

PAGINATION = "application/jupyterhub-pagination+json"


class Collector:
    """Collects every learner's progress record through the hub API and their own server."""

    def __init__(
        self,
        api_url: str,
        token: str,
        hub_url: str,
        workspace: str = "workspace",
        teachers_group: str = "teachers",
        state_path: Path | str = "jaxscope-dashboard-state.json",
    ):
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.hub_url = hub_url.rstrip("/")
        self.record_path = "/".join(p for p in (workspace.strip("/"), RECORD_NAME) if p)
        self.teachers_group = teachers_group
        self.state_path = Path(state_path)
        self.client = AsyncHTTPClient()

    async def _get(self, url: str, accept: str = "application/json") -> Any:
        headers = {"Authorization": f"token {self.token}", "Accept": accept}
        response = await self.client.fetch(HTTPRequest(url, headers=headers, request_timeout=20))
        return json.loads(response.body)

    async def users(self) -> list[dict[str, Any]]:
        """Every hub user's model (servers included), following the API's pagination."""
        users: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = await self._get(f"{self.api_url}/users?offset={offset}", accept=PAGINATION)
            if isinstance(page, list):  # a hub without pagination answers with a plain list
                return page
            users += page["items"]
            nxt = (page.get("_pagination") or {}).get("next")
            if not nxt:
                return users
            offset = nxt["offset"]

    def _cache(self) -> dict[str, Any]:
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    async def _record(self, user: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        """The learner's live record and '' , or None and why there is none ('' if absent)."""
        server = (user.get("servers") or {}).get("")
        url = f"{self.hub_url}{server['url']}api/contents/{quote(self.record_path)}"
        try:
            model = await self._get(f"{url}?type=file&format=text&content=1")
        except HTTPClientError as err:
            if err.code == 404:
                return None, ""
            return None, f"the server did not give the record (HTTP {err.code})"
        except OSError as err:
            return None, f"the server could not be reached ({err})"
        text = str(model.get("content") or "")
        if text.lstrip()[:1] != "{":  # read_record would take other text for a local path
            return None, "the progress record is not JSON"
        try:
            record = read_record(text)
            progress_model(record)  # what the dashboard shows of it must be readable too
        except ValueError as err:
            return None, str(err)
        return record, ""

    async def entries(self) -> list[dict[str, Any]]:
        """One entry per learner (see :mod:`._board`); updates the state file."""
        cache = self._cache()
        learners = [
            u
            for u in await self.users()
            if u.get("kind", "user") == "user" and self.teachers_group not in u.get("groups", [])
        ]

        async def one(user: dict[str, Any]) -> dict[str, Any]:
            name = user["name"]
            server = (user.get("servers") or {}).get("")
            running = bool(server and server.get("ready"))
            record, problem = await self._record(user) if running else (None, "")
            if record is not None:
                cache[name] = record
                source = "live"
            elif name in cache:
                record, source = cache[name], "last known"
            else:
                source = "none"
            return {
                "name": name,
                "server": "running" if running else "stopped",
                "source": source,
                "record": record,
                "problem": problem,
            }

        entries = await asyncio.gather(*(one(u) for u in learners))
        data = json.dumps(cache, sort_keys=True).encode()
        atomic_write(self.state_path, data)
        return list(entries)


def _handlers():
    from jupyterhub.services.auth import HubOAuthenticated

    class BoardHandler(HubOAuthenticated, web.RequestHandler):
        """The dashboard page."""

        @web.authenticated
        async def get(self) -> None:
            model = board(await self.settings["collector"].entries())
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.write(board_html(model))

    class CsvHandler(HubOAuthenticated, web.RequestHandler):
        """The CSV export."""

        @web.authenticated
        async def get(self) -> None:
            model = board(await self.settings["collector"].entries())
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.set_header("Content-Disposition", 'attachment; filename="jaxscope-progress.csv"')
            self.write(board_csv(model))

    return BoardHandler, CsvHandler


def make_app() -> web.Application:
    """The service's tornado application, configured from the environment the hub sets."""
    from jupyterhub.services.auth import HubOAuthCallbackHandler

    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/jaxscope-dashboard/")
    collector = Collector(
        api_url=os.environ["JUPYTERHUB_API_URL"],
        token=os.environ["JUPYTERHUB_API_TOKEN"],
        hub_url=os.environ.get("JAXSCOPE_HUB_URL", "http://127.0.0.1:8000"),
        workspace=os.environ.get("JAXSCOPE_WORKSPACE", "workspace"),
        teachers_group=os.environ.get("JAXSCOPE_TEACHERS_GROUP", "teachers"),
        state_path=os.environ.get("JAXSCOPE_DASHBOARD_STATE", "jaxscope-dashboard-state.json"),
    )
    board_handler, csv_handler = _handlers()
    return web.Application(
        [
            (prefix, board_handler),
            (prefix + "progress.csv", csv_handler),
            (prefix + "oauth_callback", HubOAuthCallbackHandler),
        ],
        cookie_secret=secrets.token_bytes(32),
        collector=collector,
    )


def main() -> None:
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    host = os.environ.get("JAXSCOPE_DASHBOARD_BIND") or url.hostname or "127.0.0.1"
    make_app().listen(url.port or 80, host)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
