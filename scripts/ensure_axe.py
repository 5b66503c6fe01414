"""Make sure axe-core (the accessibility rules the browser tests run in Chromium) is there; install it from
the npm registry into var/node/ when we can.

The version is pinned: a new axe-core brings new rules, and the suite should change only when we decide to.
Where it cannot be installed (no npm, no network to the registry) the accessibility tests are skipped with a
loud message instead (tests/browser/axe.py says so again).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE_VERSION = "4.14.1"
PREFIX = ROOT / "var" / "node"
PACKAGE = PREFIX / "node_modules" / "axe-core"
AXE_JS = PACKAGE / "axe.min.js"


def installed_version() -> str | None:
    try:
        return json.loads((PACKAGE / "package.json").read_text())["version"] if AXE_JS.exists() else None
    except (OSError, ValueError, KeyError):
        return None


def main() -> int:
    if installed_version() == AXE_VERSION:
        return 0
    if os.environ.get("TQR_SKIP_BROWSER_INSTALL") == "1":
        print("!! axe-core missing and TQR_SKIP_BROWSER_INSTALL=1: accessibility tests will be SKIPPED", file=sys.stderr)
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print(f"!! npm not found: cannot install axe-core {AXE_VERSION} into {PREFIX.relative_to(ROOT)}.\n"
              "!! Accessibility tests will be SKIPPED. Install Node.js and npm (apt-get install npm).", file=sys.stderr)
        return 0
    print(f"Installing axe-core {AXE_VERSION} for the accessibility tests (npm install --prefix var/node) ...", flush=True)
    PREFIX.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(PREFIX), f"axe-core@{AXE_VERSION}", "--save-exact",
                           "--no-audit", "--no-fund", "--loglevel=error"], check=False)
    if done.returncode != 0 or installed_version() != AXE_VERSION:
        print(f"!! npm install axe-core@{AXE_VERSION} failed: accessibility tests will be SKIPPED", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
