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
#   TORCH_INDEX_URL  where PyTorch comes from online (OFFLINE=0). PyTorch's CPU index keeps the image small;
#                    https://download.pytorch.org/whl/cu128 gives CUDA 12.8 builds for NVIDIA GPUs.
#   NB_USER, NB_UID, NB_GID
#                    the non-root user the lab runs as. At start-up the entrypoint gives it the uid of the
#                    bind-mounted work folder's owner (when started as root, as docker-compose.yml does),
#                    so nobody has to rebuild for their own uid.
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ARG OFFLINE=0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /opt/tricknets
SHELL ["/bin/sh", "-eu", "-c"]

# 1. PyTorch, alone in the heaviest layer: editing anything else never downloads it again.
#    requirements-torch.txt is the one place torch is pinned.
COPY requirements-torch.txt ./
RUN --mount=type=bind,source=offline/wheels,target=/wheels \
    python3 -m venv /opt/venv; \
    if [ "$OFFLINE" = 1 ]; then set -- --no-index --find-links /wheels; else set -- --index-url "$TORCH_INDEX_URL"; fi; \
    pip install "$@" -r requirements-torch.txt

# 2. Everything else the lab and its self-test need (the torch pins are met already). Left out: the test
#    suites that packages ship, and the hub's own web pages (share/jupyterhub/static, about 60 MB), which the
#    hub serves from where it runs; a learner's server (jupyterhub-singleuser) only links to them.
#    Bytecode (.pyc) only for the modules that run: pip --no-compile, then docker/compile_bytecode.py does what the
#    lab, a kernel and the self-test do, so Python writes theirs (about 50 MB less; the rest compiles when imported).
COPY requirements.txt requirements-jupyterhub.txt docker/compile_bytecode.py ./
RUN --mount=type=bind,source=offline/wheels,target=/wheels \
    if [ "$OFFLINE" = 1 ]; then set -- --no-index --find-links /wheels; else set --; fi; \
    pip install --no-compile "$@" -r requirements.txt; \
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

# 4. Photos and weights, baked in so the lab works with the network cut: every sha256-checked photo (the
#    series' and the 1000-photo ImageNet set) into a mirror folder; GoogLeNet's weights when reachable.
ENV PYTHONPATH=/opt/tricknets \
    TRICKNETS_MIRROR=/opt/tricknets/mirror \
    TORCH_HOME=/opt/tricknets/torch \
    TRICKNETS_WORK_DIR=/home/${NB_USER}/work \
    NB_USER=${NB_USER}
COPY data/ data/
COPY helpers/ helpers/
RUN --mount=type=bind,source=offline/photos,target=/build-mirror \
    if [ "$OFFLINE" = 1 ]; then export TRICKNETS_MIRROR=/build-mirror; else unset TRICKNETS_MIRROR; fi; \
    TRICKNETS_PROGRESS=0 python -m helpers.fetch --set imagenet-samples --to /opt/tricknets/mirror; \
    TRICKNETS_PROGRESS=0 setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups env HOME="/home/$NB_USER" \
        python -m helpers.fetch --models googlenet --if-reachable

# 5. Start-up files, the server's offline settings (for every Jupyter server in the image, the hub's too),
#    the self-test and its pristine notebooks (learners work on copies in their own folder).
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
