"""Container health check: exit 0 when the Jupyter server answers, else 1.

It asks `api`, the one endpoint Jupyter Server answers without a token (it returns only the server
version), so it never needs the secret. Under JupyterHub the server lives at /user/<name>/ on the
port the spawner chose; JUPYTERHUB_SERVICE_URL says where.
"""

import json
import os
import sys
import urllib.parse
import urllib.request

hub_url = os.environ.get("JUPYTERHUB_SERVICE_URL")
if hub_url:
    parts = urllib.parse.urlsplit(hub_url)
    base = f"http://127.0.0.1:{parts.port or 8888}{parts.path.rstrip('/')}/"
else:
    base = f"http://127.0.0.1:{os.environ.get('JUPYTER_PORT', '8888')}/"
try:
    with urllib.request.urlopen(base + "api", timeout=4) as response:
        json.load(response)["version"]
except Exception as error:  # any failure means "unhealthy"; say why in `docker inspect`
    print(f"the Jupyter server is not answering at {base}api: {error}")
    sys.exit(1)
