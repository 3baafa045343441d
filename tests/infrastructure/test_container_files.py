"""Checks on the container files that need no Docker engine (tests/infrastructure/test_container_image.py builds
and runs the image).

The Dockerfile is linted with hadolint, the compose and workflow files are validated against their JSON
schemas, and the promises the files make are checked one by one: token required, port on 127.0.0.1 only,
non-root user, the layer order that keeps rebuilds cheap, the work folder bind-mounted, GPU only in the override.
"""
from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
COMPOSE_GPU = ROOT / "docker-compose.gpu.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "tests.yml"
START_SCRIPT = ROOT / "docker" / "start-lab.sh"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def venv_tool(name: str) -> str:
    """Find a console script next to this Python first (the venv), then on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found; `pip install -r requirements/dev.txt` installs it")
    return found


# --- A small Dockerfile reader: enough for this project's Dockerfile -------------------------

def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and `\\` continuations joined."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are ignored by Docker
        current += " " + stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            keyword, _, args = current.strip().partition(" ")
            instructions.append((keyword.upper(), args.strip()))
            current = ""
    return instructions


def build_variables() -> dict[str, str]:
    """Default values of every ARG and ENV (later ones may use earlier ones)."""
    values: dict[str, str] = {}
    for keyword, args in dockerfile_instructions():
        if keyword in ("ARG", "ENV"):
            for item in shlex.split(args):
                if "=" in item:
                    name, value = item.split("=", 1)
                    values[name] = expand(value, values)
    return values


def expand(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: values.get(m.group(1), m.group(0)), text)


def last(keyword: str) -> str:
    matches = [args for kw, args in dockerfile_instructions() if kw == keyword]
    assert matches, f"the Dockerfile has no {keyword}"
    return matches[-1]


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


# --- Linting and schemas ---------------------------------------------------------------------

def test_hadolint_reports_nothing():
    result = subprocess.run(
        [venv_tool("hadolint"), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True, text=True, timeout=60,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize(
    "schema, paths",
    [("vendor.compose-spec", [COMPOSE, COMPOSE_GPU]), ("vendor.github-workflows", [WORKFLOW])],
    ids=["compose", "workflow"],
)
def test_files_match_their_schema(schema: str, paths: list[Path]):
    # The schemas ship inside check-jsonschema, so this works offline.
    result = subprocess.run(
        [venv_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, paths)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Dockerfile ------------------------------------------------------------------------------

def test_base_image_is_pinned():
    base = expand(last("FROM"), build_variables())
    name, _, tag = base.partition(":")
    assert name == "python" and tag.startswith("3.11") and tag != "latest", base


def test_runs_as_a_non_root_user():
    user = expand(last("USER"), build_variables())
    assert user not in ("", "root", "0") and not user.startswith("0:"), user
    keywords = [kw for kw, _ in dockerfile_instructions()]
    last_user = max(i for i, kw in enumerate(keywords) if kw == "USER")
    assert last_user < keywords.index("CMD"), "CMD must run after the switch to the non-root USER"


def test_has_healthcheck_exposes_8888_and_starts_with_the_start_script():
    assert "/docker/healthcheck.py" in last("HEALTHCHECK")
    assert "8888" in last("EXPOSE").split()
    assert last("CMD").endswith('/docker/start-lab.sh"]')


def test_no_syntax_line():
    """`# syntax=docker/dockerfile:1` makes every BuildKit build ask Docker Hub for the frontend: offline it fails."""
    assert not re.search(r"^#\s*syntax\s*=", DOCKERFILE.read_text(), re.M | re.I)


def step_index(keyword: str, contains: str) -> int:
    return next(i for i, (kw, args) in enumerate(dockerfile_instructions()) if kw == keyword and contains in args)


def test_layers_are_ordered_for_cheap_rebuilds():
    """torch alone first, then the hashed lock, then the user, then the photos, then the project's own files."""
    torch_step = step_index("RUN", "-r requirements/torch.txt")
    requirements_step = step_index("RUN", "-r requirements/image.txt")
    user_step = step_index("RUN", "useradd")
    photos_step = step_index("RUN", "--set imagenet-samples")
    helpers_copy = step_index("COPY", "helpers/ helpers/")
    notebooks_copy = step_index("COPY", "notebooks/")
    assert torch_step < requirements_step < user_step < photos_step < helpers_copy < notebooks_copy
    assert step_index("COPY", "requirements/torch.txt") < torch_step
    assert "--index-url \"$TORCH_INDEX_URL\"" in dockerfile_instructions()[torch_step][1]
    assert "--require-hashes" in dockerfile_instructions()[requirements_step][1]
    assert build_variables()["TORCH_INDEX_URL"] == CPU_INDEX


def test_the_photo_layer_needs_only_the_download_modules():
    """The photo layer copies only helpers.photos and what it imports, so that an edit elsewhere in helpers/ (the
    rebuild test edits helpers/plots.py) keeps it; those modules import nothing outside the standard library."""
    photos_step = step_index("RUN", "--set imagenet-samples")
    copied = [src for i, (kw, args) in enumerate(dockerfile_instructions()) if kw == "COPY" and i < photos_step
              for src in shlex.split(args)[:-1] if src.startswith("helpers/")]
    assert "helpers/" not in copied and "helpers/photos.py" in copied and "helpers/plots.py" not in copied
    code = ("import sys; sys.argv = ['fetch', '--help']; import helpers.fetch, helpers.photos; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'torch', 'numpy', 'PIL', 'tqdm'}); "
            "print(bad); assert not bad")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    imported = set()
    for path in copied:
        for node in ast.parse((ROOT / path).read_text()).body:  # module-level `from . import x` / `from .x import y`
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [alias.name for alias in node.names]
                imported |= {f"helpers/{name}.py" for name in names}
    assert imported and imported <= set(copied), f"the photo layer lacks {sorted(imported - set(copied))}"


def test_the_offline_build_installs_from_mounts_not_layers():
    """OFFLINE=1: pip --no-index from offline/wheels, photos from offline/photos, both mounted, never COPYed."""
    assert build_variables()["OFFLINE"] == "0"
    runs = [args for kw, args in dockerfile_instructions() if kw == "RUN"]
    wheel_steps = [run for run in runs if "pip install" in run and "-r requirements/" in run]
    assert len(wheel_steps) == 2
    for run in wheel_steps:
        assert "--mount=type=bind,source=offline/wheels" in run and "--no-index --find-links /wheels" in run
    assert any("--mount=type=bind,source=offline/photos" in run and "helpers.fetch" in run for run in runs)
    assert not any("offline" in " ".join(sources) for sources, _, _ in copy_instructions())
    assert not dockerignore_excludes("offline/wheels/torch-2.whl") and not dockerignore_excludes("offline/photos/a.JPEG")


def test_photos_and_weights_are_baked_outside_the_work_folder():
    variables = build_variables()
    runs = " ".join(args for kw, args in dockerfile_instructions() if kw == "RUN")
    assert "--set imagenet-samples --to /opt/tricknets/mirror" in runs and "GoogLeNet_Weights" in runs
    mount_target = load_yaml(COMPOSE)["services"]["lab"]["volumes"][0].split(":")[1]
    for name in ("TRICKNETS_MIRROR", "TORCH_HOME"):
        assert not variables[name].startswith(mount_target), (name, variables[name])


def test_an_init_process_runs_the_entrypoint():
    entrypoint = last("ENTRYPOINT")
    assert entrypoint.startswith('["dumb-init", "--"') and "docker/entrypoint.sh" in entrypoint
    assert re.search(r"^dumb-init==", (ROOT / "requirements" / "image.txt").read_text(), re.M)
    for learner_file in ("notebooks.txt", "test.txt", "torch.txt"):  # Linux-only: never on a laptop's path
        assert "dumb-init" not in (ROOT / "requirements" / learner_file).read_text(), learner_file


def copy_instructions() -> list[tuple[list[str], str, str]]:
    """(sources, destination, WORKDIR at that point) for every COPY."""
    copies, workdir, variables = [], "/", build_variables()
    for keyword, args in dockerfile_instructions():
        if keyword == "WORKDIR":
            workdir = expand(args, variables)
        elif keyword == "COPY":
            *sources, destination = [a for a in shlex.split(args) if not a.startswith("--")]
            copies.append((sources, expand(destination, variables), workdir))
    return copies


def dockerignore_regex(pattern: str) -> re.Pattern:
    """Docker's pattern syntax: `*` stays inside one folder, `**/` spans any number of them."""
    parts = re.split(r"(\*\*/|\*|\?)", pattern.strip("/"))
    wildcards = {"**/": "(?:.*/)?", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))


def dockerignore_excludes(relative: str) -> bool:
    """Apply .dockerignore like Docker: the last pattern matching the path or a parent wins."""
    prefixes = ["/".join(relative.split("/")[: i + 1]) for i in range(relative.count("/") + 1)]
    excluded = False
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        regex = dockerignore_regex(pattern.removeprefix("!"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = not pattern.startswith("!")
    return excluded


def test_copy_sources_exist_and_reach_the_build_context():
    copies = copy_instructions()
    assert copies
    for sources, _, _ in copies:
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
            assert not dockerignore_excludes(source.rstrip("/")), f"COPY {source}: .dockerignore drops it"


def test_dockerignore_keeps_secrets_work_and_host_tests_out():
    for path in (".env", ".git/HEAD", ".venv", "data/cache/x", "helpers/__pycache__/a.pyc", "work/01.ipynb",
                 "tests/infrastructure/test_browser.py"):
        assert dockerignore_excludes(path), path
    for path in ("requirements/image.txt", "requirements/torch.txt", "helpers/fetch.py", "data/images.json",
                 "docker/start-lab.sh", "tests/helpers/test_pixels.py", "tests/notebooks/test_structure.py"):
        assert not dockerignore_excludes(path), path


def test_copied_files_work_together(tmp_path):
    """Replay the COPY steps (after .dockerignore) into tmp_path, then run a fetch step from there."""
    for sources, dest, workdir in copy_instructions():
        target = tmp_path / (dest if dest.startswith("/") else f"{workdir}/{dest}").lstrip("/")
        for source in sources:
            files = [ROOT / source] if (ROOT / source).is_file() else (ROOT / source).rglob("*")
            for file in files:
                relative = file.relative_to(ROOT).as_posix()
                if file.is_file() and not dockerignore_excludes(relative):
                    inside = file.name if (ROOT / source).is_file() else file.relative_to(ROOT / source)
                    (target / inside).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(file, target / inside)
    image_root = tmp_path / "opt" / "tricknets"
    assert os.access(image_root / "docker" / "start-lab.sh", os.X_OK)
    # `--list` reads the data manifests through helpers, offline, like the build's fetch step.
    code = "import sys, helpers.fetch as f; print(f.__file__); sys.exit(f.main(['--list']))"
    env = {**os.environ, "PYTHONPATH": str(image_root), "TRICKNETS_CACHE": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(str(image_root)), "helpers was not imported from the copied tree"


def test_cmd_and_healthcheck_point_where_docker_folder_is_copied():
    docker_dir = next(
        (dest if dest.startswith("/") else f"{workdir.rstrip('/')}/{dest}").rstrip("/")
        for sources, dest, workdir in copy_instructions() if sources == ["docker/"]
    )
    assert f'"{docker_dir}/start-lab.sh"' in last("CMD")
    assert f'"{docker_dir}/healthcheck.py"' in last("HEALTHCHECK")


# --- Scripts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("script", [START_SCRIPT, ROOT / "docker" / "entrypoint.sh", ROOT / "tools" / "offline-kit.sh",
                                    ROOT / "tools" / "lock.sh", ROOT / "tools" / "binder_check.sh",
                                    ROOT / "binder" / "postBuild", ROOT / ".ci" / "run"], ids=lambda p: p.name)
def test_scripts_are_executable_with_a_shebang_and_parse(script: Path):
    assert os.access(script, os.X_OK), f"chmod +x {script.relative_to(ROOT)} (and commit the mode)"
    shebang = script.read_text().splitlines()[0]
    assert shebang.startswith("#!")
    shell = shebang[2:].split()[-1].rsplit("/", 1)[-1]  # "#!/bin/sh" -> "sh"
    result = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_python_files_in_docker_folder_compile():
    for path in (ROOT / "docker").glob("*.py"):
        compile(path.read_text(), str(path), "exec")


# --- Compose ---------------------------------------------------------------------------------

def test_port_is_published_on_loopback_only():
    lab = load_yaml(COMPOSE)["services"]["lab"]
    assert lab["ports"] == ["127.0.0.1:8888:8888"]
    for service in load_yaml(COMPOSE_GPU)["services"].values():
        assert "ports" not in service, "the GPU override must not publish more ports"


def test_token_is_passed_through_and_never_empty():
    lab = load_yaml(COMPOSE)["services"]["lab"]
    # `- JUPYTER_TOKEN` (no `=`): from the shell or .env, or left unset -> random token.
    assert "JUPYTER_TOKEN" in lab["environment"]
    assert not any(str(item).startswith("JUPYTER_TOKEN=") for item in lab["environment"])
    example = (ROOT / ".env.example").read_text()
    assert re.search(r"^\s*JUPYTER_TOKEN\s*=\s*$", example, re.M) is None, ".env.example sets an empty token"
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_the_work_folder_is_bind_mounted_and_the_lessons_are_not():
    """Learners work in ./work (seeded from the lessons); notebooks/ stays the pristine copy the self-test runs."""
    lab = load_yaml(COMPOSE)["services"]["lab"]
    assert [v.split(":")[:2] for v in lab["volumes"]] == [["./work", build_variables()["TRICKNETS_WORK_DIR"]]]
    assert lab["user"] == "root"  # only for the entrypoint's uid adjustment; see docker/entrypoint.sh
    assert "work/" in (ROOT / ".gitignore").read_text().split()


def test_gpu_only_in_the_override():
    assert "deploy" not in load_yaml(COMPOSE)["services"]["lab"]
    gpu = load_yaml(COMPOSE_GPU)["services"]["lab"]
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert any(d["driver"] == "nvidia" and "gpu" in d["capabilities"] for d in devices)
    assert set(gpu["build"]["args"]) == {"TORCH_INDEX_URL"}  # one build argument: the same Dockerfile otherwise
    index = gpu["build"]["args"]["TORCH_INDEX_URL"]
    assert index == f"https://download.pytorch.org/whl/{GPU_BUILD}", index
    pins = dict(re.findall(r"^(torch)==(\S+)$", (ROOT / "requirements" / "torch.txt").read_text(), re.M))
    assert GPU_BUILD in CUDA_BUILDS_OF_TORCH[pins["torch"]], (
        f"torch {pins['torch']}: look up its CUDA builds (PyTorch's release compatibility matrix) and update both")


#: The CUDA builds PyTorch publishes for each pinned torch. Source: PyTorch's build matrix, github.com/pytorch/test-infra,
#: branch release/2.14 (commit c840391a), tools/scripts/generate_binary_build_matrix.py: `"release": ["12.6", "13.0",
#: "13.2"]`, stable "13.0" (the 2.14 row of RELEASE.md's Release Compatibility Matrix says the same; CUDA 12.8's last
#: row is 2.11). PyPI's torch 2.14.1 is the CUDA 13.0 build: its METADATA requires cuda-toolkit==13.0.3 and
#: nvidia-cudnn-cu13==9.24.0.43 (and .ci/run prints torch.version.cuda 13.0 from inside the GPU variant).
CUDA_BUILDS_OF_TORCH = {"2.14.1": {"cu126", "cu130", "cu132"}}
GPU_BUILD = "cu130"


# --- Workflow --------------------------------------------------------------------------------

def test_workflow_installs_from_the_locks_and_runs_both_tiers():
    workflow = load_yaml(WORKFLOW)
    steps = workflow["jobs"]["pytest"]["steps"]
    runs = [step.get("run", "") for step in steps]
    setup = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11" and setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"].startswith("requirements/")
    order = [
        next(i for i, run in enumerate(runs) if f"--index-url {CPU_INDEX} -r requirements/torch.txt" in run),
        next(i for i, run in enumerate(runs) if "-r requirements/dev.txt" in run),
        next(i for i, run in enumerate(runs) if "python -m helpers.fetch" in run),
        next(i for i, run in enumerate(runs) if re.fullmatch(r"(python -m )?pytest", run.strip())),
        next(i for i, run in enumerate(runs) if run.strip().endswith("build")),  # the image the container tests use
        next(i for i, run in enumerate(runs) if run.strip() == "pytest -m infrastructure"),
    ]
    assert order == sorted(order)
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"].rstrip("/") == "test-artifacts"


#: The current major version of each action the workflow uses, read from the tags of the actions' own repositories
#: (github.com/actions/checkout v7.0.1, setup-python v7.0.0, upload-artifact v7.0.0, cache v5.0.5; 2026-12-04).
#: Dependabot (.github/dependabot.yml) moves them on.
CURRENT_ACTIONS = {"actions/checkout": "v7", "actions/setup-python": "v7", "actions/upload-artifact": "v7",
                   "actions/cache": "v5"}


def test_workflow_uses_current_actions_and_dependabot_keeps_them_current():
    uses = [step["uses"] for step in load_yaml(WORKFLOW)["jobs"]["pytest"]["steps"] if "uses" in step]
    for action in uses:
        name, _, version = action.partition("@")
        assert CURRENT_ACTIONS.get(name) == version, action
    updates = load_yaml(ROOT / ".github" / "dependabot.yml")["updates"]
    ecosystems = {(u["package-ecosystem"], u["directory"]) for u in updates}
    assert {("pip", "/requirements"), ("github-actions", "/"), ("docker", "/"), ("npm", "/")} <= ecosystems
