"""JupyterHub configuration for a jaxscope class: `jupyterhub -f classroom/jupyterhub_config.py`.

What it sets up (see classroom/README.md):

* every learner's server starts through `start-singleuser`, which makes their workspace on the
  first start and updates it on later ones without overwriting their edits;
* kernels share the GPU (XLA_PYTHON_CLIENT_PREALLOCATE=false: no kernel grabs most of it);
* idle servers are stopped by jupyterhub-idle-culler (a hub service);
* the teacher dashboard, a hub service open only to the `teachers` group.

Authentication is the deployer's choice (the hub's default is PAM: the machine's own accounts);
set `c.JupyterHub.authenticator_class` in a config of your own that loads this one with
`load_subconfig(...)`. Settings, from the environment:

  JAXSCOPE_TEACHERS        comma-separated teacher user names (the `teachers` group)
  JAXSCOPE_LEARNERS        comma-separated learner user names allowed to log in (optional;
                           leave it empty to decide who may log in in your own config)
  JAXSCOPE_COURSE          the course notebooks (default: this repository's notebooks/)
  JAXSCOPE_WORKSPACE       the workspace folder in each learner's home (default: workspace)
  JAXSCOPE_IDLE_TIMEOUT    seconds of inactivity before a server is stopped (default: 3600)
  JAXSCOPE_HUB_URL         the hub's address as services reach it (default: http://127.0.0.1:8000)
  JAXSCOPE_DASHBOARD_PORT  the dashboard's local port (default: 10101)
  JAXSCOPE_DASHBOARD_STATE the dashboard's state file (default: in the hub's working folder)
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

HERE = Path(__file__).resolve().parent
DASHBOARD = "jaxscope-dashboard"
TEACHERS_GROUP = "teachers"


def _names(var):
    return sorted({n.strip() for n in os.environ.get(var, "").split(",") if n.strip()})


course = os.environ.get("JAXSCOPE_COURSE", str(HERE.parent / "notebooks"))
workspace = os.environ.get("JAXSCOPE_WORKSPACE", "workspace")
teachers = _names("JAXSCOPE_TEACHERS")
learners = _names("JAXSCOPE_LEARNERS")
idle_timeout = int(os.environ.get("JAXSCOPE_IDLE_TIMEOUT", "3600"))
hub_url = os.environ.get("JAXSCOPE_HUB_URL", "http://127.0.0.1:8000")
dashboard_port = int(os.environ.get("JAXSCOPE_DASHBOARD_PORT", "10101"))
dashboard_state = os.environ.get(
    "JAXSCOPE_DASHBOARD_STATE", os.path.abspath("jaxscope-dashboard-state.json")
)

# --- each learner's server ------------------------------------------------------------------
c.Spawner.cmd = [str(HERE / "start-singleuser"), "jupyterhub-singleuser"]
c.Spawner.default_url = f"/lab/tree/{workspace}/00-start-here.ipynb"
c.Spawner.environment = {
    "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
    "JAXSCOPE_COURSE": course,
    "JAXSCOPE_WORKSPACE": workspace,
}
# the first start writes the whole workspace; many learners starting at once share the CPUs
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180

# --- who is who -----------------------------------------------------------------------------
c.JupyterHub.load_groups = {TEACHERS_GROUP: {"users": teachers}}
if learners or teachers:
    c.Authenticator.allowed_users = set(learners) | set(teachers)

# --- services: the idle culler and the teacher dashboard -------------------------------------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={idle_timeout}"],
    },
    {
        "name": DASHBOARD,
        "url": f"http://127.0.0.1:{dashboard_port}",
        "command": [sys.executable, "-m", "jaxscope.classroom.dashboard"],
        "oauth_no_confirm": True,
        "display": True,
        "environment": {
            "JAXSCOPE_HUB_URL": hub_url,
            "JAXSCOPE_WORKSPACE": workspace,
            "JAXSCOPE_TEACHERS_GROUP": TEACHERS_GROUP,
            "JAXSCOPE_DASHBOARD_STATE": dashboard_state,
        },
    },
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
    {
        # reads each learner's progress record from the learner's own server
        "name": DASHBOARD,
        "scopes": ["list:users", "read:users", "read:servers", "access:servers"],
        "services": [DASHBOARD],
    },
    {
        # teachers open the dashboard and may open a learner's server to help
        "name": "teacher",
        "scopes": [f"access:services!service={DASHBOARD}", "access:servers"],
        "groups": [TEACHERS_GROUP],
    },
]
