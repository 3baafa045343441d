"""Workshop plumbing: the JupyterHub sample config, the Binder (repo2docker) files, and HTML handouts."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from traitlets import TraitError
from traitlets.config import Config, PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"TRICKNETS_WORKSHOP_PASSWORD": "a-long-shared-password", "TRICKNETS_ADMIN_PASSWORD": "i" * 32,
        "TRICKNETS_HUB_CONNECT_IP": "172.30.0.1"}


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
    from jupyterhub.proxy import ConfigurableHTTPProxy
    from jupyterhub.spawner import Spawner

    classes = {cls.__name__: cls for cls in (JupyterHub, DockerSpawner, Spawner, Authenticator,
                                             SharedPasswordAuthenticator, ConfigurableHTTPProxy)}
    cfg = _hub_config(GOOD)
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
    assert cfg.JupyterHub.hub_connect_ip == cfg.JupyterHub.hub_ip == "172.30.0.1"
    assert cfg.DockerSpawner.volumes == {"tricknets-{username}": "/home/learner/work"}


@pytest.mark.parametrize(("env", "message"), [
    ({"TRICKNETS_WORKSHOP_PASSWORD": "short"}, "TRICKNETS_WORKSHOP_PASSWORD .* at least 8 characters"),
    ({"TRICKNETS_ADMIN_PASSWORD": "only-twelve!"}, r"TRICKNETS_ADMIN_PASSWORD .* at least 32 characters \(it has 12\)"),
    ({"TRICKNETS_ADMIN_PASSWORD": "a-long-shared-password" * 2,
      "TRICKNETS_WORKSHOP_PASSWORD": "a-long-shared-password" * 2}, "must differ"),
])
def test_jupyterhub_config_explains_unusable_passwords(env: dict[str, str], message: str) -> None:
    """The authenticator's own rules (8 and 32 characters, different), said before it can crash the hub."""
    with pytest.raises(SystemExit, match=message):
        _hub_config({**GOOD, **env})


def test_the_image_and_the_hub_share_one_jupyterhub_pin() -> None:
    """DockerSpawner starts `jupyterhub-singleuser` in our image, which must match the hub's version."""
    assert re.search(r"^jupyterhub==\d", (ROOT / "requirements-jupyterhub.txt").read_text(), re.M)
    for name in ("requirements.txt", "requirements-hub.txt"):
        text = (ROOT / name).read_text()
        assert "-r requirements-jupyterhub.txt" in text and not re.search(r"^jupyterhub==", text, re.M), name


def test_the_proxy_is_pinned_and_the_config_finds_it() -> None:
    import json

    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["configurable-http-proxy"]
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == pinned
    assert "node_modules" in (ROOT / "docs" / "jupyterhub_config.py").read_text()


def test_binder_follows_repo2docker_conventions() -> None:
    binder = ROOT / "binder"
    post_build = binder / "postBuild"
    assert post_build.read_text().startswith("#!") and os.access(post_build, os.X_OK)
    assert "python -m helpers.fetch" in post_build.read_text()
    subprocess.run(["bash", "-n", str(post_build)], check=True)
    lines = (binder / "requirements.txt").read_text().splitlines()
    assert "-r ../requirements.txt" in lines  # one list of pins for every way of running
    assert "pip install --no-deps -e ." in post_build.read_text()  # the helpers package, importable from notebooks
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


def test_the_kubernetes_values_match_the_one_server_config() -> None:
    """docs/z2jh-values.yaml gives every learner what docs/jupyterhub_config.py gives them on one server.

    (Its validity against the chart's schema needs the chart's files: tools/validate_z2jh_values.py downloads them.)
    """
    import yaml

    values = yaml.safe_load((ROOT / "docs" / "z2jh-values.yaml").read_text())
    hub = _hub_config(GOOD)
    single = values["singleuser"]
    assert single["cmd"] == hub.DockerSpawner.cmd[0] and single["defaultUrl"] == hub.DockerSpawner.default_url
    assert single["cpu"]["limit"] == hub.DockerSpawner.cpu_limit
    assert single["memory"]["limit"] == hub.DockerSpawner.mem_limit
    assert single["extraEnv"] == hub.DockerSpawner.environment
    assert single["storage"]["homeMountPath"] == hub.DockerSpawner.notebook_dir
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == hub.JupyterHub.authenticator_class
    assert values["hub"]["config"]["Authenticator"]["admin_users"] == sorted(hub.Authenticator.admin_users)
    assert values["hub"]["config"]["SharedPasswordAuthenticator"] == {}  # passwords come at install time, never here
