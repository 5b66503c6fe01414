"""Make sure Debian's Chromium is there for the browser tests; install it with apt-get when we can.

Where it cannot be installed (not root, no apt-get, no network to the package mirror) the browser tests
are skipped with a loud message instead (tests/browser/conftest.py says so again).
"""

import os
import shutil
import subprocess
import sys

CHROMIUM = os.environ.get("TQR_CHROMIUM", "/usr/bin/chromium")


def main() -> int:
    if os.path.exists(CHROMIUM):
        return 0
    if os.environ.get("TQR_SKIP_BROWSER_INSTALL") == "1":
        print("!! Chromium missing and TQR_SKIP_BROWSER_INSTALL=1: browser tests will be SKIPPED", file=sys.stderr)
        return 0
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        print(f"!! Chromium not found at {CHROMIUM} and cannot be installed here (need root and apt-get).\n"
              "!! Browser tests will be SKIPPED. Install it with: sudo apt-get install chromium", file=sys.stderr)
        return 0
    print("Installing Debian's Chromium for the browser tests (apt-get install chromium) ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([apt, "update", "-qq"], env=env, check=False)
    done = subprocess.run([apt, "install", "-y", "-qq", "chromium", "fonts-wqy-microhei"], env=env, check=False)
    if done.returncode != 0 or not os.path.exists(CHROMIUM):
        print("!! apt-get install chromium failed: browser tests will be SKIPPED", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
