"""JupyterLab settings for the tricknets container's lab (and for tests/lab_server.py).

`docker/start-lab.sh` passes this file with `--config`, so the container and the test
start JupyterLab the same way. Flags given on the command line win over this file
(the test uses `--ip=127.0.0.1 --port=<free port>`).

Security rule: the server NEVER runs without a token.
- JUPYTER_TOKEN unset      -> Jupyter Server generates a random token and prints it in the log.
- JUPYTER_TOKEN=<text>     -> that text is the token (e.g. from `.env` via docker compose).
- JUPYTER_TOKEN set, empty -> refuse to start (an empty token would switch authentication off).
"""
import json
import os
import sys
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821 -- Jupyter defines `get_config` when it runs this file

# Inside the container the server must listen on all interfaces so that Docker's port
# mapping reaches it; docker-compose.yml publishes the port on 127.0.0.1 of the host only.
c.ServerApp.ip = "0.0.0.0"
c.ServerApp.port = int(os.environ.get("JUPYTER_PORT", "8888"))
c.ServerApp.port_retries = 0  # fail instead of silently moving to another port
c.ServerApp.open_browser = False  # there is no browser inside a container
# The folder shown in the file browser: the learner's work folder in the image.
c.ServerApp.root_dir = os.environ.get("TRICKNETS_WORK_DIR", os.getcwd())

token = os.environ.get("JUPYTER_TOKEN")
if token is not None:
    if not token.strip():
        sys.exit(
            "tricknets: JUPYTER_TOKEN is set but empty, which would switch authentication off. "
            "Put a long random string in JUPYTER_TOKEN (see .env.example), "
            "or remove the variable to get a random token printed in this log."
        )
    c.IdentityProvider.token = token
# else: leave the token unset; Jupyter Server then generates a random one and logs the URL with it.
c.ServerApp.password = ""  # token login only; no password file is read

# The lab must work with the network cut: no news feed, no update check, no PyPI extension manager.
# Those settings live in docker/offline_server_config.json, which the image also installs for every
# Jupyter server (so the hub's single-user servers get them too); here they apply to this lab.
for section, values in json.loads(Path(__file__).with_name("offline_server_config.json").read_text()).items():
    for key, value in values.items():
        setattr(c[section], key, value)
