# syntax=docker/dockerfile:1
# tricknets: JupyterLab, PyTorch and the lesson notebooks in one image.
#
#   docker compose up --build        (see docker-compose.yml; GPU: docker-compose.gpu.yml)
#   docker build -t tricknets-lab:cpu .
#   docker run --rm --init -p 127.0.0.1:8888:8888 tricknets-lab:cpu
#
# Build arguments (all optional, pass with --build-arg NAME=value):
#   BASE_IMAGE           pinned Python base image.
#   TORCH_INDEX_URL      PyTorch's wheel index. The default CPU index keeps the image small;
#                        https://download.pytorch.org/whl/cu128 gives CUDA 12.8 wheels for NVIDIA GPUs.
#   TORCH_VERSION, TORCHVISION_VERSION
#                        must equal the pins in requirements.txt (tests/test_container.py checks).
#   NB_USER, NB_UID, NB_GID
#                        the non-root user JupyterLab runs as. Set NB_UID/NB_GID to your own
#                        `id -u` / `id -g` if the bind-mounted notebooks folder is not writable.
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ARG NB_USER=learner
ARG NB_UID=1000
ARG NB_GID=1000
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.14.1
ARG TORCHVISION_VERSION=0.29.1

# Photos and network weights are baked under /opt/tricknets, which the notebooks bind mount
# (/home/learner/work/notebooks) does not hide, so the lab works with the network cut.
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRICKNETS_CACHE=/opt/tricknets/cache \
    TORCH_HOME=/opt/tricknets/torch \
    TRICKNETS_WORK_DIR=/home/${NB_USER}/work

RUN groupadd --gid "${NB_GID}" "${NB_USER}" \
    && useradd --uid "${NB_UID}" --gid "${NB_GID}" --create-home --shell /bin/bash "${NB_USER}"

WORKDIR /opt/tricknets

# 1. PyTorch from the chosen index (its own layer: editing helpers/ does not download it again).
RUN pip install --no-cache-dir --index-url "${TORCH_INDEX_URL}" \
        "torch==${TORCH_VERSION}" "torchvision==${TORCHVISION_VERSION}"

# 2. Everything else; the torch pins are already met. requirements.txt ends with `-e .`, which
#    installs this project's `helpers` package (pyproject.toml), so every notebook can import it.
COPY requirements.txt pyproject.toml ./
COPY helpers/ helpers/
RUN pip install --no-cache-dir -r requirements.txt

# The photo list (helpers look for it next to helpers/) and the JupyterLab start-up files.
COPY data/ data/
COPY docker/ docker/
# The test suite with a pristine copy of the notebooks, so the README's test command runs in the
# container, whatever the learner has done to the bind-mounted copies:
#   docker compose exec -w /opt/tricknets lab pytest
COPY conftest.py ./
COPY tests/ tests/
COPY notebooks/ notebooks/
# Folders the build fills (as the learner, so they belong to them) and the work folder.
RUN install -d -o "${NB_UID}" -g "${NB_GID}" "${TRICKNETS_CACHE}" "${TORCH_HOME}" "${TRICKNETS_WORK_DIR}"
# A copy of the notebooks for plain `docker run`; docker compose bind-mounts ./notebooks over it.
COPY --chown=${NB_UID}:${NB_GID} notebooks/ ${TRICKNETS_WORK_DIR}/notebooks/

USER ${NB_USER}
# Download every sha256-checked photo (data/images.json) and the GoogLeNet weights now, and
# build matplotlib's font cache, so the first notebook run needs no network and no waiting.
RUN python -m helpers.fetch --models googlenet \
    && python -c "import matplotlib.pyplot"

WORKDIR ${TRICKNETS_WORK_DIR}
EXPOSE 8888
# /api answers without the token (it returns only the server version); see docker/healthcheck.py.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "/opt/tricknets/docker/healthcheck.py"]
# Token: $JUPYTER_TOKEN if set (an empty value is refused), else random and printed in the log.
CMD ["/opt/tricknets/docker/start-lab.sh"]
