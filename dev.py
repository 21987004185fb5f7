#!/usr/bin/env python3
"""Set up and run countystats with nothing but python3 (README Quickstart).

    python3 dev.py run     # set up .venv, then run the nightly Airflow DAG end to end on the example county
    python3 dev.py test    # set up .venv (and Chromium, LibreOffice for the tests), then ruff + pytest
    python3 dev.py test -m unit   # … only the fast, in-process tier (any other pytest arguments are passed on)
    python3 dev.py bench   # the benchmarks in benchmarks/

Set-up is idempotent: .venv is rebuilt only when pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".setup-stamp"


def sh(*cmd: str | os.PathLike, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def setup() -> None:
    # the exact versions proven together (also what the production image installs)
    constraints = ROOT / "deploy" / "constraints.txt"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + constraints.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want and (BIN / "countystats").exists():
        return
    if sys.version_info < (3, 11):  # noqa: UP036 -- dev.py runs under any system python3
        sys.exit("countystats needs Python ≥ 3.11")
    if not (BIN / "python").exists():
        sh(sys.executable, "-m", "venv", VENV)
    sh(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    sh(BIN / "python", "-m", "pip", "install", "--quiet", "-c", constraints, "-e", ".[dev,production]")
    STAMP.write_text(want)


SYSTEM_PACKAGES = {  # Debian packages the tests need: what each provides, and how to tell it is there
    # the dashboard tests open pages in real headless Chromium, with CJK fonts (or Chinese renders as boxes)
    "chromium": lambda: shutil.which("chromium"),
    "fonts-wqy-microhei": lambda: Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").exists(),
    # legacy .doc/.et reports are converted with LibreOffice, and the tests read PDFs it exports from Word files
    "libreoffice-writer-nogui": lambda: shutil.which("soffice"),
    "libreoffice-calc-nogui": lambda: Path("/usr/lib/libreoffice/program/libsclo.so").exists(),
    # the portal's test runs deploy/nginx.conf on a real nginx in front of it (tests/test_portal_postgres.py)
    "nginx-light": lambda: Path("/usr/sbin/nginx").exists(),
}


def ensure_system_packages() -> None:
    """Install the Debian packages the tests need, once (apt-get; as root, or through sudo)."""
    missing = [name for name, present in SYSTEM_PACKAGES.items() if not present()]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sh(*sudo, "apt-get", "update", "-qq", env=env)
    sh(*sudo, "apt-get", "install", "-y", "-qq", *missing, env=env)


def main(argv: list[str]) -> int:
    what = argv[1] if len(argv) > 1 else "help"
    rest = argv[2:]
    if what == "run":
        setup()
        sh(BIN / "countystats", "nightly", *rest)
    elif what == "test":
        setup()
        ensure_system_packages()
        sh(BIN / "ruff", "check", ".")
        sh(BIN / "python", "-m", "pytest", *rest)  # the test command CI runs (.ci/run)
    elif what == "bench":
        setup()
        for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
            sh(BIN / "python", script, *rest)
    else:
        print(__doc__)
        return 0 if what == "help" else 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode or 1)
