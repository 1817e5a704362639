#!/usr/bin/env python3
"""Builds the Python sdist: bindings/python plus, under native/, what building libyespo needs
(tools/native-Package.swift as native/Package.swift, Sources/YespoCore, Sources/YespoABI,
CInterop, include/yespo.h). setup.py builds the library from native/ with `swift build` when no
YESPO_LIB is given, so the sdist installs offline wherever the toolchain is.

    python tools/build_sdist.py OUTDIR        (needs setuptools and build)
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent          # bindings/python
ROOT = HERE.parent.parent                              # the repository
NATIVE = ["Sources/YespoCore", "Sources/YespoABI", "CInterop", "include/yespo.h"]
SKIP = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist", ".pytest_cache", ".mypy_cache", "native")


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "dist").resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="yespo-sdist-") as tmp:
        stage = Path(tmp) / "python"
        shutil.copytree(HERE, stage, ignore=SKIP)
        native = stage / "native"
        native.mkdir()
        shutil.copyfile(HERE / "tools" / "native-Package.swift", native / "Package.swift")
        for rel in NATIVE:
            src, dst = ROOT / rel, native / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".build"))
            else:
                shutil.copyfile(src, dst)
        subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(out), str(stage)],
                       check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
