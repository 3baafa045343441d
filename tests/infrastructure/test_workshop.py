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


def _pinned(lock: str, name: str) -> str:
    found = re.search(rf"^{name}==(\S+)", (ROOT / "requirements" / lock).read_text(), re.M)
    assert found, f"{name} is not pinned in requirements/{lock}"
    return found.group(1)


#: The JupyterHub each Zero-to-JupyterHub chart version runs, read from the chart's own source: the tag of that
#: version in github.com/jupyterhub/zero-to-jupyterhub-k8s, file images/hub/requirements.txt
#: (4.4.0: "jupyterhub==5.5.0"; 4.3.2: "jupyterhub==5.4.3"; read 2026-12-04).
Z2JH_CHART_JUPYTERHUB = {"4.4.0": "5.5.0", "4.3.2": "5.4.3"}


def test_the_image_speaks_the_jupyterhub_major_version_of_every_hub_the_docs_describe() -> None:
    """`jupyterhub-singleuser` in the image must have the major version of the hub that spawns it: the DockerSpawner
    room (requirements/hub.txt) and the Zero-to-JupyterHub chart version docs/z2jh-values.yaml names."""
    image = _pinned("image.txt", "jupyterhub")
    assert _pinned("hub.txt", "jupyterhub") == image
    assert _pinned("dev.txt", "jupyterhub") == image  # the room test runs the hub from the dev lock
    chart = re.search(r"--version (\d+\.\d+\.\d+)", (ROOT / "docs" / "z2jh-values.yaml").read_text())
    assert chart, "docs/z2jh-values.yaml names no chart version"
    assert chart.group(1) in Z2JH_CHART_JUPYTERHUB, f"look up chart {chart.group(1)}'s JupyterHub and record it here"
    assert Z2JH_CHART_JUPYTERHUB[chart.group(1)].split(".")[0] == image.split(".")[0], (chart.group(1), image)
    for doc in ("docs/WORKSHOP.md", "docs/z2jh-values.yaml"):
        for named in re.findall(r"chart[^\n]*?--version (\d+\.\d+\.\d+)", (ROOT / doc).read_text()):
            assert named == chart.group(1), (doc, named)


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
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"  # repo2docker's default is older
    lines = (binder / "requirements.txt").read_text().splitlines()
    assert "-r ../requirements/torch.txt" in lines  # PyTorch first, from its CPU index ...
    assert "--index-url https://download.pytorch.org/whl/cpu" in lines
    assert "pip install --no-cache-dir -r requirements/notebooks.txt" in post_build.read_text()  # ... then the lock
    assert "pip install --no-cache-dir --no-deps -e ." in post_build.read_text()  # the helpers, for the notebooks
    # Binder's own single-user server (JupyterHub 5) is left alone: nothing Binder installs pins jupyterhub.
    assert not re.search(r"^jupyterhub==", (ROOT / "requirements" / "notebooks.txt").read_text(), re.M)


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


def test_binder_url_is_made_from_the_clones_remote() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("binder_url", ROOT / "tools" / "binder_url.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = "https://mybinder.org/v2/gh/someone/tricknets/HEAD?urlpath=lab/tree/notebooks"
    for remote in ("https://github.com/someone/tricknets.git", "git@github.com:someone/tricknets.git",
                   "https://github.com/someone/tricknets"):
        assert module.binder_url(remote) == expected
    with pytest.raises(ValueError, match="not a GitHub repository"):
        module.binder_url("https://gitlab.com/someone/tricknets.git")


def _readme_block(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Run it without Docker"):text.index("## Build it offline")]
    block = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert block, f"README's 'Run it without Docker' has no {language} block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines()]


def test_the_readme_installs_as_binder_and_ci_do_on_bash_and_powershell() -> None:
    """The bash and PowerShell recipes run the same pip commands, in the same order, as binder/ (which
    tools/binder_check.sh builds in CI before it runs the course tier): PyTorch from its CPU index, then the lock,
    then the helpers; no pip pin and no image extra on the way."""
    bash = [line for line in _readme_block("bash") if line.startswith("python -m pip")]
    powershell = [line for line in _readme_block("powershell") if line.startswith("python -m pip")]
    assert bash == powershell and len(bash) == 3
    assert bash[0] == "python -m pip install --index-url https://download.pytorch.org/whl/cpu -r requirements/torch.txt"
    binder = (ROOT / "binder" / "requirements.txt").read_text() + (ROOT / "binder" / "postBuild").read_text()
    for line in bash[1:]:
        assert line.replace("python -m pip install", "pip install --no-cache-dir") in binder, line
    for lock in ("notebooks.txt", "test.txt", "torch.txt"):
        text = (ROOT / "requirements" / lock).read_text()
        assert not re.search(r"^(pip|dumb-init|jupyterhub)==", text, re.M), lock


def test_the_prose_gives_each_learner_what_the_configs_give() -> None:
    """Every "N CPU and M GB" the docs say a learner gets is read from docs/jupyterhub_config.py (one source), and the
    Kubernetes values give the same limits."""
    import yaml

    hub = _hub_config(GOOD)
    cpu = f"{hub.DockerSpawner.cpu_limit:g}"
    gigabytes = re.fullmatch(r"(\d+)G", hub.DockerSpawner.mem_limit).group(1)
    values = yaml.safe_load((ROOT / "docs" / "z2jh-values.yaml").read_text())["singleuser"]
    assert f"{values['cpu']['limit']:g}" == cpu and values["memory"]["limit"] == f"{gigabytes}G"
    for doc in ("docs/WORKSHOP.md", "docs/jupyterhub_config.py", "docs/z2jh-values.yaml", "README.md"):
        text = (ROOT / doc).read_text()
        for said_cpu, said_gb in re.findall(r"(\d+(?:\.\d+)?) CPU and (\d+) GB", text):
            assert (said_cpu, said_gb) == (cpu, gigabytes), (doc, said_cpu, said_gb)
        for said_gb, said_cpu in re.findall(r"\((\d+) GB, (\d+(?:\.\d+)?) CPU", text):
            assert (said_cpu, said_gb) == (cpu, gigabytes), (doc, said_cpu, said_gb)
    workshop = (ROOT / "docs" / "WORKSHOP.md").read_text()
    assert f"**{cpu} CPU and {gigabytes} GB**" in workshop  # the room section says it, in those words
