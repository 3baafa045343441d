"""Print the Binder link of this clone: `python tools/binder_url.py [REMOTE]` (default: origin).

It reads the remote's GitHub address from git and prints the mybinder.org link that builds this repository (from
binder/) and opens JupyterLab in notebooks/; a fork gets its own link. docs/WORKSHOP.md, "Binder", says more.
"""

from __future__ import annotations

import re
import subprocess
import sys

PATTERN = re.compile(r"github\.com[:/](?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$")


def binder_url(remote_url: str, ref: str = "HEAD") -> str:
    found = PATTERN.search(remote_url.strip())
    if not found:
        raise ValueError(f"{remote_url!r} is not a GitHub repository address: Binder builds from GitHub; push a copy "
                         "there (a fork) and add it as a remote.")
    return (f"https://mybinder.org/v2/gh/{found['owner']}/{found['repo']}/{ref}"
            "?urlpath=lab/tree/notebooks")


def main(argv: list[str]) -> int:
    remote = argv[0] if argv else "origin"
    result = subprocess.run(["git", "remote", "get-url", remote], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"binder_url: this clone has no git remote {remote!r} ({result.stderr.strip()}); "
              "name one: python tools/binder_url.py REMOTE", file=sys.stderr)
        return 2
    try:
        print(binder_url(result.stdout))
    except ValueError as exc:
        print(f"binder_url: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
