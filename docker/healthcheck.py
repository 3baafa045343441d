"""Container health check: exit 0 when JupyterLab answers on its port, else 1.

It asks `/api`, the one endpoint Jupyter Server answers without a token (it returns only
the server version), so the health check never needs to know the secret token.
"""
import json
import os
import sys
import urllib.request

port = os.environ.get("JUPYTER_PORT", "8888")
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=4) as response:
        json.load(response)["version"]
except Exception as error:  # any failure means "unhealthy"; say why in `docker inspect`
    print(f"JupyterLab not answering on port {port}: {error}")
    sys.exit(1)
