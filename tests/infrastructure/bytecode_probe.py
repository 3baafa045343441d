"""Run inside the image (tests/infrastructure/test_container_image.py): which modules that really run lack bytecode?

The image keeps .pyc files only for the modules its warm-up imports (Dockerfile, step 2). This starts what a learner
and the self-test start (the lab server, jupyterhub-singleuser, a kernel running notebook 01 under nbval, the
packaged photos loading) with PYTHONPYCACHEPREFIX set, so Python writes a fresh .pyc for every module they import
into a scratch folder, and compares that list with the .pyc files the image holds. Prints one JSON line.
"""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

prefix = Path(tempfile.mkdtemp())
env = {**os.environ, "PYTHONPYCACHEPREFIX": str(prefix)}
venv = Path(sys.prefix)

lab = subprocess.Popen(["jupyter", "lab", "--no-browser", "--port", "8899", "--ServerApp.token=probe"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
for line in lab.stderr:  # the server logs to stderr
    if "is running at" in line or "http://127.0.0.1:8899" in line:
        break
lab.terminate()
lab.wait(timeout=60)
subprocess.run(["jupyterhub-singleuser", "--help"], env=env, capture_output=True, check=True, timeout=120)
subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                "/opt/tricknets/notebooks/01_logistic_regression_by_hand.ipynb",
                "/opt/tricknets/tests/helpers/test_images.py::test_packaged_photos_load_offline"],
               env=env, capture_output=True, check=True, timeout=600, cwd="/opt/tricknets")

imported = missing = 0
without = []
for pyc in (prefix / venv.relative_to("/")).rglob("*.pyc"):
    source = Path("/") / pyc.parent.relative_to(prefix) / (pyc.name.split(".")[0] + ".py")
    cached = Path(importlib.util.cache_from_source(str(source)))
    if "-pytest-" in pyc.name or not source.exists():
        continue  # pytest's own assertion-rewritten copies of its plugins; it keeps those itself
    imported += pyc.stat().st_size
    if not cached.exists():
        missing += pyc.stat().st_size
        without.append(str(source.relative_to(venv)))
print(json.dumps({"imported_bytes": imported, "missing_bytes": missing, "without_bytecode": sorted(without)}))
