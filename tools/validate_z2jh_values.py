"""Validate docs/z2jh-values.yaml against the Zero to JupyterHub chart's own values schema, as Helm does.

Helm validates the chart's default values with yours merged in, so this merges them first. The schema and the
defaults are the chart's published files for one release, downloaded (never copied into this repository):

    python tools/validate_z2jh_values.py                       # chart 4.4.0, from GitHub
    python tools/validate_z2jh_values.py --schema values.schema.yaml --defaults values.yaml   # local copies

Exit status 0 when the values are valid; every error is printed otherwise.
"""

from __future__ import annotations

import argparse
import copy
import sys
import urllib.request
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
RAW = "https://raw.githubusercontent.com/jupyterhub/zero-to-jupyterhub-k8s/{version}/jupyterhub/{name}"


def read(source: str) -> dict:
    if source.startswith("https://"):
        with urllib.request.urlopen(source, timeout=60) as response:
            return yaml.safe_load(response.read())
    return yaml.safe_load(Path(source).read_text())


def merged(defaults: dict, values: dict) -> dict:
    out = copy.deepcopy(defaults)
    for key, value in values.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("values", nargs="?", default=str(ROOT / "docs" / "z2jh-values.yaml"))
    parser.add_argument("--chart-version", default="4.4.0")
    parser.add_argument("--schema", help="a local values.schema.yaml (default: the chart release's, downloaded)")
    parser.add_argument("--defaults", help="a local values.yaml of the chart (default: downloaded)")
    args = parser.parse_args()
    schema = read(args.schema or RAW.format(version=args.chart_version, name="values.schema.yaml"))
    defaults = read(args.defaults or RAW.format(version=args.chart_version, name="values.yaml"))
    values = yaml.safe_load(Path(args.values).read_text())
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(merged(defaults, values)))
    for error in errors:
        print(f"{'.'.join(map(str, error.path)) or '(top)'}: {error.message}")
    print(f"{args.values}: {'valid' if not errors else f'{len(errors)} errors'} against the values schema of "
          f"the jupyterhub chart {args.chart_version}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
