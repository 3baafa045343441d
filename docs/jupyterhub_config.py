"""JupyterHub for a whole room: one server, one tricknets container per learner (DockerSpawner).

Use it when laptops cannot run the notebooks (see docs/WORKSHOP.md, "Serving a room"):

    docker build -t tricknets-lab:cpu .                 # the image from this repository
    docker network create tricknets-hub
    pip install jupyterhub==6.1.1 dockerspawner==14.0.0  # on the server (versions pinned in requirements.txt)
    jupyterhub -f docs/jupyterhub_config.py

tests/test_workshop.py loads this file and checks every setting against the real traits of
JupyterHub and DockerSpawner, so a typo here fails the test suite.
"""

import os

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

# --- the hub ---------------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("TRICKNETS_HUB_URL", "http://0.0.0.0:8000")  # put TLS in front (nginx, Caddy)
c.JupyterHub.hub_ip = "0.0.0.0"  # the learners' containers reach the hub over the Docker network
c.JupyterHub.hub_connect_ip = os.environ.get("TRICKNETS_HUB_CONNECT_IP", "jupyterhub")

# A workshop login: every learner picks a name, all share one password the instructor announces.
# (Swap in OAuth or LDAP for anything longer-lived than an afternoon.)
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("TRICKNETS_WORKSHOP_PASSWORD", "")
c.SharedPasswordAuthenticator.admin_password = os.environ.get("TRICKNETS_ADMIN_PASSWORD", "")
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {"instructor"}

# --- one container per learner -----------------------------------------------------------
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = os.environ.get("TRICKNETS_IMAGE", "tricknets-lab:cpu")
c.DockerSpawner.network_name = "tricknets-hub"
c.DockerSpawner.cmd = ["jupyterhub-singleuser"]  # the image installs jupyterhub from requirements.txt
c.DockerSpawner.notebook_dir = "/home/learner/work"
c.DockerSpawner.default_url = "/lab/tree/notebooks"
# Each learner's edits live in a named volume that survives restarts of their container.
c.DockerSpawner.volumes = {"tricknets-{username}": "/home/learner/work"}
c.DockerSpawner.remove = True  # containers are disposable; the volume keeps the work
# Fair shares on a shared server: an attack on 224x224 images needs about 1 GB and 1 core.
c.DockerSpawner.mem_limit = "2G"
c.DockerSpawner.cpu_limit = 1.0
c.DockerSpawner.environment = {"TRICKNETS_DEVICE": "cpu"}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60
