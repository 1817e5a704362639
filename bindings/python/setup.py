"""Bundles libyespo.so into the package at build time, so that an installed ``yespo`` needs nothing
else: from ``YESPO_LIB``, else (in the sdist) built from ``native/`` with ``swift build``, else
``<repo>/dist/lib/libyespo.so``, else by running ``make lib`` at the repository root."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent


def repo_root() -> Path | None:
    for parent in (HERE, *HERE.parents):
        if (parent / "Package.swift").is_file() and (parent / "include" / "yespo.h").is_file():
            return parent
    return None


def find_library() -> Path:
    override = os.environ.get("YESPO_LIB")
    if override:
        path = Path(override)
        if not path.is_file():
            raise SystemExit(f"YESPO_LIB={override} does not exist")
        return path
    native = HERE / "native"
    if (native / "Package.swift").is_file():  # an sdist: tools/build_sdist.py put the sources here
        return build_native(native)
    root = repo_root()
    if root is None:
        raise SystemExit("libyespo.so not found: set YESPO_LIB, or build from the yespo repository")
    built = root / "dist" / "lib" / "libyespo.so"
    if not built.is_file():
        print(f"yespo: {built} missing, running `make lib` in {root}")
        subprocess.run(["make", "lib"], cwd=root, check=True)
    if not built.is_file():
        raise SystemExit(f"`make lib` did not produce {built}")
    return built


def build_native(native: Path) -> Path:
    """libyespo.so from the sdist's sources; offline (the package has no remote dependency)."""
    swift = os.environ.get("SWIFT") or shutil.which("swift")
    if not swift:
        raise SystemExit("yespo: building libyespo needs the Swift toolchain (swift on PATH or SWIFT=...) and "
                         "the libcurl and jansson development packages; or set YESPO_LIB to a built libyespo.so")
    subprocess.run([swift, "build", "-c", "release", "-Xswiftc", "-static-stdlib", "--product", "yespo",
                    "--package-path", str(native)], check=True)
    built = native / ".build" / "release" / "libyespo.so"
    if not built.is_file():
        raise SystemExit(f"swift build did not produce {built}")
    return built


class BuildWithLibrary(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "yespo" / "_lib"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(find_library(), target / "libyespo.so")


class BinaryDistribution(Distribution):
    """The wheel carries a native library: tag it for this platform."""

    def has_ext_modules(self) -> bool:
        return True


cmdclass: dict = {"build_py": BuildWithLibrary}
try:
    from setuptools.command.bdist_wheel import bdist_wheel as _bdist_wheel
except ImportError:  # older setuptools
    from wheel.bdist_wheel import bdist_wheel as _bdist_wheel


class PlatformWheel(_bdist_wheel):
    """Any CPython 3 (ctypes, no extension module), but only this OS/CPU."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, plat = super().get_tag()
        return "py3", "none", plat


cmdclass["bdist_wheel"] = PlatformWheel

setup(cmdclass=cmdclass, distclass=BinaryDistribution)
