"""Make sure Debian's Chromium (browser tests) and poppler's pdftotext (PDF text checks) are there;
install them with apt-get when we can.

Where it cannot be installed (not root, no apt-get, no network to the package mirror) the browser tests
are skipped with a loud message instead (tests/browser/support.py says so again).
"""

import os
import shutil
import subprocess
import sys

CHROMIUM = os.environ.get("TQR_CHROMIUM", "/usr/bin/chromium")


PDFTOTEXT = "/usr/bin/pdftotext"
ZBARIMG = "/usr/bin/zbarimg"


def main() -> int:
    if os.path.exists(CHROMIUM):
        _tools()
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
    subprocess.run([apt, "update", "-qq"], env=env, check=False, stdout=subprocess.DEVNULL)
    done = subprocess.run([apt, "install", "-y", "-qq", "chromium", "fonts-wqy-microhei", "poppler-utils", "zbar-tools"], env=env,
                          check=False, stdout=subprocess.DEVNULL)
    if done.returncode != 0 or not os.path.exists(CHROMIUM):
        print("!! apt-get install chromium failed: browser tests will be SKIPPED", file=sys.stderr)
    return 0


def _tools() -> None:
    """pdftotext reads the generated PDFs back and zbarimg the stickers' QR codes in a few tests, which skip
    loudly without them."""
    apt = shutil.which("apt-get")
    if (os.path.exists(PDFTOTEXT) and os.path.exists(ZBARIMG)) or apt is None or os.geteuid() != 0 or os.environ.get("TQR_SKIP_BROWSER_INSTALL") == "1":
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run([apt, "install", "-y", "-qq", "poppler-utils", "zbar-tools"], env=env, check=False, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run([apt, "update", "-qq"], env=env, check=False, stdout=subprocess.DEVNULL)
        subprocess.run([apt, "install", "-y", "-qq", "poppler-utils", "zbar-tools"], env=env, check=False, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    sys.exit(main())
