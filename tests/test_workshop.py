"""Workshop plumbing: the JupyterHub sample config, the Binder (repo2docker) files, and HTML handouts."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from traitlets import TraitError
from traitlets.config import Config, PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]


def _hub_config(env: dict[str, str] | None = None) -> Config:
    old = dict(os.environ)
    os.environ.update(env or {})
    try:
        return PyFileConfigLoader("jupyterhub_config.py", path=str(ROOT / "docs")).load_config()
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_jupyterhub_config_sets_only_real_traits() -> None:
    """Every section and key in docs/jupyterhub_config.py exists, and each value is valid for its trait."""
    from dockerspawner import DockerSpawner
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
    from jupyterhub.spawner import Spawner

    classes = {cls.__name__: cls for cls in (JupyterHub, DockerSpawner, Spawner, Authenticator,
                                             SharedPasswordAuthenticator)}
    cfg = _hub_config({"TRICKNETS_WORKSHOP_PASSWORD": "a-long-shared-password"})
    checked = 0
    for section, values in cfg.items():
        assert section in classes, f"unknown config section {section}"
        instance = classes[section]()
        traits = classes[section].class_traits(config=True)
        for key, value in values.items():
            assert key in traits, f"{section}.{key} is not a setting of {section}"
            try:
                traits[key].validate(instance, value)
            except TraitError as exc:  # pragma: no cover - the assertion message is the point
                pytest.fail(f"{section}.{key} = {value!r}: {exc}")
            checked += 1
    assert checked >= 15
    assert cfg.JupyterHub.spawner_class == "dockerspawner.DockerSpawner"
    assert cfg.DockerSpawner.image == "tricknets-lab:cpu"
    assert cfg.DockerSpawner.cmd == ["jupyterhub-singleuser"]


def test_jupyterhub_singleuser_is_in_the_image() -> None:
    """DockerSpawner starts `jupyterhub-singleuser` in our image: requirements.txt must install jupyterhub."""
    requirements = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^jupyterhub==\d", requirements, re.M)


def test_binder_follows_repo2docker_conventions() -> None:
    binder = ROOT / "binder"
    post_build = binder / "postBuild"
    assert post_build.read_text().startswith("#!") and os.access(post_build, os.X_OK)
    assert "python -m helpers.fetch" in post_build.read_text()
    subprocess.run(["bash", "-n", str(post_build)], check=True)
    lines = (binder / "requirements.txt").read_text().splitlines()
    assert "-r ../requirements.txt" in lines  # one list of pins for every way of running
    assert (ROOT / "requirements.txt").exists()


def test_handouts_export_embeds_figures(tmp_path: Path) -> None:
    result = subprocess.run(["bash", str(ROOT / "tools" / "handouts.sh"), str(tmp_path)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    pages = sorted(p.stem for p in tmp_path.glob("*.html"))
    assert pages == notebooks
    for page in tmp_path.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "data:image/png;base64," in html, f"{page.name} has no embedded figure"
        assert "Traceback" not in html
