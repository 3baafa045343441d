# tricknets: JupyterLab, PyTorch and the lesson notebooks in one image.
#
#   docker compose up --build          the usual way (docker-compose.yml; needs Compose v2)
#   docker build -t tricknets-lab:cpu .
#
# It needs BuildKit (Compose v2 and Docker 23+ use it by default): the offline build mounts its wheels
# and photos instead of copying them into a layer.
#
# Build arguments (all optional: --build-arg NAME=value):
#   BASE_IMAGE       any Debian bookworm image with Python 3.11 and its venv module: the official
#                    python:3.11-slim-bookworm (default), or a plain Debian bookworm with python3 and
#                    python3-venv (tools/debian-base.sh makes one with debootstrap; README.md, "Build it offline").
#   OFFLINE          1: install every package from offline/wheels (pip --no-index) and take every photo
#                    from offline/photos; nothing is downloaded. tools/offline-kit.sh fills both folders.
#                    0 (default): packages from the indexes, photos by URL (sha256-checked either way).
#   TORCH_INDEX_URL  where PyTorch comes from online (OFFLINE=0): the CPU/GPU choice, and the only difference
#                    between the two images. https://download.pytorch.org/whl/cpu (default) keeps the image small;
#                    https://download.pytorch.org/whl/cu130 (docker-compose.gpu.yml) gives the CUDA 13.0 build.
#   PYPI_INDEX_URL   where everything else comes from online; empty (default): pip's own default, PyPI. A room's
#                    package mirror, or CI's simulated PyPI (tools/online_build.py).
#   TRICKNETS_MIRROR_URL
#                    a web server holding the photos in the mirror layout (a room's own: `python -m http.server`
#                    in a folder made by tools/offline-kit.sh), tried instead of each photo's source URL.
#   NB_USER, NB_UID, NB_GID
#                    the non-root user the lab runs as. At start-up the entrypoint gives it the uid of the
#                    bind-mounted work folder's owner (when started as root, as docker-compose.yml does),
#                    so nobody has to rebuild for their own uid.
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ARG OFFLINE=0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG PYPI_INDEX_URL=
ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /opt/tricknets
SHELL ["/bin/sh", "-eu", "-c"]

# 1. PyTorch, alone in the heaviest layer: editing anything else never downloads it again.
#    requirements/torch.txt is the one place torch is pinned; TORCH_INDEX_URL picks its build (CPU or CUDA).
COPY requirements/torch.txt requirements/
RUN --mount=type=bind,source=offline/wheels,target=/wheels \
    python3 -m venv /opt/venv; \
    if [ "$OFFLINE" = 1 ]; then set -- --no-index --find-links /wheels; else set -- --index-url "$TORCH_INDEX_URL"; fi; \
    pip install "$@" -r requirements/torch.txt

# 2. Everything else the lab and its self-test need, from the hashed lock requirements/image.txt (torch is met
#    already). Left out: the test suites that packages ship, and the hub's own web pages (share/jupyterhub/static,
#    about 60 MB), which the hub serves from where it runs; a learner's server (jupyterhub-singleuser) only links to
#    them. Bytecode (.pyc) only for the modules that run: pip --no-compile, then docker/compile_bytecode.py does what
#    the lab, a kernel and the self-test do, so Python writes theirs (about 50 MB less; the rest compiles when imported).
COPY requirements/image.txt requirements/
COPY docker/compile_bytecode.py ./
RUN --mount=type=bind,source=offline/wheels,target=/wheels \
    if [ "$OFFLINE" = 1 ]; then set -- --no-index --find-links /wheels; \
    elif [ -n "$PYPI_INDEX_URL" ]; then set -- --index-url "$PYPI_INDEX_URL"; else set --; fi; \
    pip install --no-compile --require-hashes "$@" -r requirements/image.txt; \
    find /opt/venv/lib -depth -type d -name tests -path '*/site-packages/*' -exec rm -rf {} +; \
    rm -rf /opt/venv/share/jupyterhub/static; \
    python compile_bytecode.py; \
    rm -rf compile_bytecode.py /root/.cache /root/.ipython /root/.local /root/.jupyter

# 3. The user, created after the heavy layers, so another uid never reinstalls them.
ARG NB_USER=learner
ARG NB_UID=1000
ARG NB_GID=1000
RUN groupadd --gid "$NB_GID" "$NB_USER"; \
    useradd --uid "$NB_UID" --gid "$NB_GID" --create-home --shell /bin/bash "$NB_USER"; \
    install -d -o "$NB_UID" -g "$NB_GID" /opt/tricknets/torch "/home/$NB_USER/work"

# 4. Photos and weights, baked in so the lab works with the network cut, and before the project's code so that an
#    edit there never downloads them again: every sha256-checked photo (the series' and the 1000-photo ImageNet set)
#    into a mirror folder, by helpers.photos alone (standard library: retries, a few at a time); GoogLeNet's weights,
#    by torchvision, when reachable. Only an edit to those download modules re-runs this layer.
ARG TRICKNETS_MIRROR_URL=
ENV PYTHONPATH=/opt/tricknets \
    TRICKNETS_MIRROR=/opt/tricknets/mirror \
    TORCH_HOME=/opt/tricknets/torch \
    TRICKNETS_WORK_DIR=/home/${NB_USER}/work \
    NB_USER=${NB_USER}
COPY data/images.json data/imagenet_samples.json data/
COPY helpers/__init__.py helpers/errors.py helpers/files.py helpers/settings.py helpers/photos.py helpers/fetch.py \
     helpers/
RUN --mount=type=bind,source=offline/photos,target=/build-mirror \
    if [ "$OFFLINE" = 1 ]; then export TRICKNETS_MIRROR=/build-mirror; else unset TRICKNETS_MIRROR; fi; \
    TRICKNETS_PROGRESS=0 python -m helpers.fetch --set imagenet-samples --to /opt/tricknets/mirror; \
    if [ "$OFFLINE" != 1 ]; then \
        setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups env HOME="/home/$NB_USER" python -c \
            "from torchvision.models import GoogLeNet_Weights as W; W.IMAGENET1K_V1.get_state_dict(check_hash=True)" \
        || echo "GoogLeNet's weights are not reachable now: the notebooks' optional GoogLeNet cell says so."; \
    fi

# 5. Start-up files, the server's offline settings (for every Jupyter server in the image, the hub's too),
#    the self-test and its pristine notebooks (learners work on copies in their own folder).
COPY data/ data/
COPY helpers/ helpers/
COPY docker/ docker/
RUN install -d /opt/venv/etc/jupyter/jupyter_server_config.d; \
    cp docker/offline_server_config.json /opt/venv/etc/jupyter/jupyter_server_config.d/tricknets.json
COPY pyproject.toml conftest.py ./
COPY tests/ tests/
COPY notebooks/ notebooks/
RUN setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups env HOME="/home/$NB_USER" \
        python -c "import matplotlib.pyplot"

USER ${NB_USER}
WORKDIR /home/${NB_USER}/work
EXPOSE 8888
# Healthy once the server answers (under JupyterHub at its /user/<name>/ prefix); see docker/healthcheck.py.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/opt/tricknets/docker/healthcheck.py"]
# dumb-init forwards signals and reaps finished kernels; the entrypoint adapts the user to the work folder,
# sets the thread count from the CPU quota, copies the notebooks in, then runs the command.
ENTRYPOINT ["dumb-init", "--", "/opt/tricknets/docker/entrypoint.sh"]
# Token: $JUPYTER_TOKEN if set (an empty value is refused), else random and printed in the log.
CMD ["/opt/tricknets/docker/start-lab.sh"]
