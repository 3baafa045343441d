#!/bin/sh
# Start JupyterLab with the tricknets settings (docker/jupyter_server_config.py): the container's CMD, and
# what tests/lab_server.py starts, so both start it the same way. Extra arguments go to `jupyter lab`
# (they win over the config file), e.g. `docker/start-lab.sh --ip=127.0.0.1 --port=9999`.
set -eu

# An empty token would switch authentication off: refuse it before Jupyter even starts.
# (Unset is fine: Jupyter then generates a random token and prints it in the log.)
if [ "${JUPYTER_TOKEN+set}" = set ] && [ -z "$(printf '%s' "$JUPYTER_TOKEN" | tr -d '[:space:]')" ]; then
    echo "tricknets: JUPYTER_TOKEN is set but empty; set a long random token (see .env.example) or unset it." >&2
    exit 2
fi

config="$(dirname "$0")/jupyter_server_config.py"
exec jupyter lab --config="$config" "$@"
