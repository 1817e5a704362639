"""Loading the native library: ABI check, CDLL (GIL released), clear ImportErrors."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import yespo
from yespo import _native


def test_library_loaded_with_matching_abi() -> None:
    assert _native.lib.yespo_abi_version() == 1
    assert yespo.core_version().count(".") == 2
    assert os.path.isfile(yespo.library_path)


def test_library_is_cdll_so_calls_release_the_gil() -> None:
    # PyDLL keeps the GIL during calls; CDLL releases it. Only CDLL may be used.
    assert type(_native.lib) is ctypes.CDLL
    assert not isinstance(_native.lib, ctypes.PyDLL)
    assert _native.lib._func_flags_ == ctypes.CDLL._func_flags_


def test_returned_buffers_are_void_pointers() -> None:
    # A c_char_p out-parameter would hide the library's pointer from yespo_free (a leak).
    out = ctypes.POINTER(ctypes.c_void_p)
    for name, index in (("yespo_client_stats", 1), ("yespo_contact_get", 2), ("yespo_report_json", 1),
                        ("yespo_report_rows", 2), ("yespo_contacts_search", 2), ("yespo_job_progress", 1)):
        assert getattr(_native.lib, name).argtypes[index] is out, name
    # Only static strings may be c_char_p results.
    for name in ("yespo_version", "yespo_strerror", "yespo_error_message"):
        assert getattr(_native.lib, name).restype is ctypes.c_char_p


def _import_in_subprocess(lib_path: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, YESPO_LIB=lib_path)
    return subprocess.run([sys.executable, "-c", "import yespo"], env=env, capture_output=True,
                          text=True, timeout=60)


def test_missing_library_is_a_clear_import_error(tmp_path: Path) -> None:
    result = _import_in_subprocess(str(tmp_path / "nope.so"))
    assert result.returncode != 0
    assert "ImportError" in result.stderr and "YESPO_LIB" in result.stderr


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_abi_mismatch_is_a_clear_import_error(tmp_path: Path) -> None:
    src = tmp_path / "fake.c"
    src.write_text(textwrap.dedent("""
        int yespo_abi_version(void) { return 2; }
    """))
    lib = tmp_path / "libfake.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    result = _import_in_subprocess(str(lib))
    assert result.returncode != 0
    assert "ABI version 2" in result.stderr and "needs 1" in result.stderr


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_not_libyespo_is_a_clear_import_error(tmp_path: Path) -> None:
    src = tmp_path / "other.c"
    src.write_text("int something_else(void) { return 0; }\n")
    lib = tmp_path / "libother.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    result = _import_in_subprocess(str(lib))
    assert result.returncode != 0
    assert "not libyespo" in result.stderr


def test_errors_map_to_the_hierarchy() -> None:
    from yespo.errors import make_error

    assert isinstance(make_error(-5, "x", 401), yespo.AuthenticationError)
    assert isinstance(make_error(-5, "x", 401), yespo.APIError)
    assert isinstance(make_error(-6, "x", 429), yespo.RateLimitError)
    assert isinstance(make_error(-8, "x", 404), yespo.NotFoundError)
    assert isinstance(make_error(-1, "x"), ValueError)
    assert isinstance(make_error(-10, "x"), TimeoutError)
    assert isinstance(make_error(-10, "x"), yespo.TransportError)
    assert isinstance(make_error(-4, "x"), OSError)
    assert isinstance(make_error(-12, "x"), yespo.CancelledError)
    err = make_error(-7, "server said no", 502)
    assert (err.code, err.status, err.message) == (-7, 502, "server said no")
    assert "HTTP 502" in str(err)
    import pickle

    back = pickle.loads(pickle.dumps(err))
    assert type(back) is yespo.APIError and back.status == 502 and back.message == "server said no"


def test_installed_package_loads_its_bundled_library() -> None:
    if os.environ.get("YESPO_LIB"):
        pytest.skip("YESPO_LIB overrides the bundled library")
    assert Path(yespo.library_path).parent.name == "_lib"
    assert Path(yespo.library_path).parent.parent == Path(yespo.__file__).parent
