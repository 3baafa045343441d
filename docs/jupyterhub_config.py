"""JupyterHub for a whole room: one server, one tricknets container per learner (DockerSpawner).

docs/WORKSHOP.md, "One server for the whole room", is the guide. On a server with Docker, in this repository:

    docker compose build                                    # the image, tricknets-lab:cpu
    pip install -r requirements/hub.txt && npm ci          # the hub, DockerSpawner and the proxy, all pinned
    export TRICKNETS_WORKSHOP_PASSWORD=...  TRICKNETS_ADMIN_PASSWORD=...   # 8+ and 32+ characters
    jupyterhub -f docs/jupyterhub_config.py

Learners log in with any name and the workshop password; `instructor` logs in with the admin password.
Every learner gets their own container (3 GB, 1 CPU; the image runs as many torch threads as that CPU
quota allows) and their own volume, which keeps their notebooks across restarts; fresh copies of the
lessons arrive there at every start without touching their edits (docker/seed_notebooks.py).
tests/infrastructure/test_workshop.py checks every setting here against JupyterHub's and DockerSpawner's
real options; tools/room_test.py starts this hub with four learners (CI runs it).
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

ROOT = Path(__file__).resolve().parent.parent
NETWORK = os.environ.get("TRICKNETS_HUB_NETWORK", "tricknets-hub")
IMAGE = os.environ.get("TRICKNETS_IMAGE", "tricknets-lab:cpu")


def password(variable: str, minimum: int, what: str) -> str:
    """A password from the environment, or a clear message instead of the authenticator's traceback."""
    value = os.environ.get(variable, "")
    if len(value) < minimum:
        sys.exit(f"tricknets hub: set {variable} to {what}, at least {minimum} characters (it has {len(value)}). "
                 "One way: python -c 'import secrets; print(secrets.token_urlsafe(24))'")
    return value


def docker_gateway(network: str) -> str:
    """The address of this server on the learners' Docker network (made if missing): where containers reach the hub."""
    import docker  # DockerSpawner's own dependency

    client = docker.from_env()
    try:
        net = client.networks.get(network)
    except docker.errors.NotFound:
        net = client.networks.create(network, driver="bridge")
    return net.attrs["IPAM"]["Config"][0]["Gateway"]


# --- the hub ---------------------------------------------------------------------------------------
# The room's address: put HTTPS in front (a reverse proxy) before handing it out.
c.JupyterHub.bind_url = os.environ.get("TRICKNETS_HUB_URL", "http://0.0.0.0:8000")
# The hub's own API listens only on the Docker network's gateway: the learners' containers reach it there,
# nothing outside this server does. TRICKNETS_HUB_CONNECT_IP overrides it (a hub that runs elsewhere).
c.JupyterHub.hub_ip = c.JupyterHub.hub_connect_ip = (os.environ.get("TRICKNETS_HUB_CONNECT_IP")
                                                     or docker_gateway(NETWORK))
proxy = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"  # `npm ci` puts it there (package-lock.json)
if proxy.exists():
    c.ConfigurableHTTPProxy.command = [str(proxy)]

# A workshop login: every learner picks a name; all share one password the instructor announces.
# (Swap in OAuth or LDAP for anything longer-lived than an afternoon.)
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password("TRICKNETS_WORKSHOP_PASSWORD", 8,
                                                       "the password you announce to the room")
c.SharedPasswordAuthenticator.admin_password = password("TRICKNETS_ADMIN_PASSWORD", 32,
                                                        "the instructor's own password (not the room's)")
if c.SharedPasswordAuthenticator.admin_password == c.SharedPasswordAuthenticator.user_password:
    sys.exit("tricknets hub: TRICKNETS_ADMIN_PASSWORD must differ from TRICKNETS_WORKSHOP_PASSWORD.")
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {"instructor"}

# --- one container per learner ----------------------------------------------------------------------
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = IMAGE
c.DockerSpawner.network_name = NETWORK
c.DockerSpawner.use_internal_ip = True  # the proxy reaches each container on that network
# The image's entrypoint runs first (threads from the CPU quota, fresh lessons, never root), then this.
c.DockerSpawner.cmd = ["jupyterhub-singleuser"]
c.DockerSpawner.notebook_dir = "/home/learner/work"
c.DockerSpawner.default_url = "/lab"
# Each learner's notebooks live in a named volume that survives restarts of their container.
c.DockerSpawner.volumes = {"tricknets-{username}": "/home/learner/work"}
c.DockerSpawner.remove = True  # containers are disposable; the volume keeps the work
# Fair shares on a shared server: an attack in float64 needs about 1 GB; measured in tools/room_test.py.
c.DockerSpawner.mem_limit = "3G"
c.DockerSpawner.cpu_limit = 1.0
c.DockerSpawner.environment = {"TRICKNETS_DEVICE": "cpu"}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60
