"""Settings shared by the unit tests and the nbval notebook runs.

Notebook kernels inherit this process's environment, so what is set here also holds
inside every notebook that `pytest` re-executes.
"""
import os

# Progress bars draw volatile widgets; stored notebook outputs are made without them.
os.environ.setdefault("TRICKNETS_PROGRESS", "0")
