"""Loads libyespo and declares the C ABI of include/yespo.h for ctypes.

Every buffer the library returns is declared ``c_void_p`` (a ``c_char_p`` result would be copied
into a Python ``bytes`` and the original pointer lost, leaking it) and freed with ``yespo_free``.
The library is opened with ``CDLL``, so every call releases the GIL while it runs.
"""

from __future__ import annotations

from ._constants import ABI_VERSION

import ctypes
import os
from ctypes import (
    CFUNCTYPE,
    POINTER,
    c_char_p,
    c_int,
    c_int64,
    c_size_t,
    c_void_p,
)
from pathlib import Path
from typing import Any, Optional

EXPECTED_ABI_VERSION = ABI_VERSION  # from include/yespo.h, through _constants

YESPO_OK = 0

# Library threads (a job's callback thread, the engine thread for logs) call these; ctypes takes the GIL around the Python body.
LOG_FN = CFUNCTYPE(None, c_int, c_char_p, c_void_p)
PROGRESS_FN = CFUNCTYPE(None, c_char_p, c_void_p)

_ERR_OUT = POINTER(c_void_p)
_BUF_OUT = POINTER(c_void_p)


def _candidate_paths() -> list[Path]:
    """Where the shared library may be, most specific first."""
    paths: list[Path] = []
    override = os.environ.get("YESPO_LIB")
    if override:
        return [Path(override)]
    here = Path(__file__).resolve().parent
    paths.append(here / "_lib" / "libyespo.so")
    # A source checkout (editable install, tests run from the repo): <repo>/dist/lib/libyespo.so.
    for parent in here.parents:
        if (parent / "Package.swift").is_file() and (parent / "include" / "yespo.h").is_file():
            paths.append(parent / "dist" / "lib" / "libyespo.so")
            break
    return paths


def _open_library() -> ctypes.CDLL:
    tried: list[str] = []
    for path in _candidate_paths():
        if not path.is_file():
            tried.append(f"{path} (missing)")
            continue
        try:
            return ctypes.CDLL(str(path))
        except OSError as exc:
            tried.append(f"{path} ({exc})")
    raise ImportError(
        "yespo: cannot load libyespo.so; tried: " + "; ".join(tried)
        + ". Reinstall the package, or set YESPO_LIB to the library's path."
    )


def _declare(lib: ctypes.CDLL) -> None:
    def fn(name: str, restype: Any, *argtypes: Any) -> None:
        f = getattr(lib, name)
        f.restype = restype
        f.argtypes = list(argtypes)

    fn("yespo_version", c_char_p)
    fn("yespo_abi_version", c_int)
    fn("yespo_strerror", c_char_p, c_int)
    fn("yespo_error_code", c_int, c_void_p)
    fn("yespo_error_http_status", c_int, c_void_p)
    fn("yespo_error_message", c_char_p, c_void_p)
    fn("yespo_error_free", None, c_void_p)
    fn("yespo_free", None, c_void_p)

    fn("yespo_client_new", c_int, c_char_p, POINTER(c_void_p), _ERR_OUT)
    fn("yespo_client_set_option", c_int, c_void_p, c_int, c_int64, _ERR_OUT)
    fn("yespo_client_set_option_str", c_int, c_void_p, c_int, c_char_p, _ERR_OUT)
    fn("yespo_client_set_log_callback", c_int, c_void_p, LOG_FN, c_int, c_void_p, _ERR_OUT)
    fn("yespo_client_stats", c_int, c_void_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_option_bounds", c_int, c_int, POINTER(c_int64), POINTER(c_int64), _ERR_OUT)
    fn("yespo_options_json", c_int, _BUF_OUT, _ERR_OUT)
    fn("yespo_client_free", None, c_void_p)

    fn("yespo_upsert_begin", c_int, c_void_p, c_char_p, POINTER(c_void_p), _ERR_OUT)
    fn("yespo_job_set_progress_callback", c_int, c_void_p, PROGRESS_FN, c_int, c_void_p, _ERR_OUT)
    fn("yespo_job_progress", c_int, c_void_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_job_feed_ndjson", c_int, c_void_p, c_char_p, c_size_t, _ERR_OUT)
    fn("yespo_job_feed_json_array", c_int, c_void_p, c_char_p, c_size_t, _ERR_OUT)
    fn("yespo_job_feed_file", c_int, c_void_p, c_char_p, c_char_p, _ERR_OUT)
    fn("yespo_job_cancel", c_int, c_void_p)
    fn("yespo_job_finish", c_int, c_void_p, POINTER(c_void_p), _ERR_OUT)
    fn("yespo_job_free", None, c_void_p)

    fn("yespo_sync_begin", c_int, c_void_p, c_char_p, c_char_p, POINTER(c_void_p), _ERR_OUT)
    fn("yespo_sync_feed_file", c_int, c_void_p, c_char_p, c_char_p, _ERR_OUT)
    fn("yespo_sync_feed_ndjson", c_int, c_void_p, c_char_p, c_size_t, _ERR_OUT)
    fn("yespo_sync_cancel", c_int, c_void_p)
    fn("yespo_sync_finish", c_int, c_void_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_sync_free", None, c_void_p)
    fn("yespo_sync_status", c_int, c_char_p, _BUF_OUT, _ERR_OUT)

    fn("yespo_report_json", c_int, c_void_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_report_rows", c_int, c_void_p, c_int, _BUF_OUT, POINTER(c_size_t), _ERR_OUT)
    fn("yespo_report_free", None, c_void_p)

    fn("yespo_subscribe", c_int, c_void_p, c_char_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_contact_add", c_int, c_void_p, c_char_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_contact_update", c_int, c_void_p, c_int64, c_char_p, _ERR_OUT)
    fn("yespo_contact_get", c_int, c_void_p, c_int64, _BUF_OUT, _ERR_OUT)
    fn("yespo_contact_delete", c_int, c_void_p, c_int64, _ERR_OUT)
    fn("yespo_contact_delete_external", c_int, c_void_p, c_char_p, c_int, _ERR_OUT)
    fn("yespo_contacts_search", c_int, c_void_p, c_char_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_import_status", c_int, c_void_p, c_char_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_import_wait", c_int, c_void_p, c_char_p, c_int64, _BUF_OUT, _ERR_OUT)
    fn("yespo_contacts_upload", c_int, c_void_p, c_char_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_segment_attach", c_int, c_void_p, c_int64, c_char_p, _ERR_OUT)
    fn("yespo_segment_detach", c_int, c_void_p, c_int64, c_char_p, _ERR_OUT)
    fn("yespo_segments_list", c_int, c_void_p, c_char_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_segment_contacts", c_int, c_void_p, c_int64, c_char_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_emails_unsubscribed", c_int, c_void_p, c_char_p, c_int, _ERR_OUT)
    fn("yespo_event_send", c_int, c_void_p, c_char_p, _ERR_OUT)
    fn("yespo_orders_delete", c_int, c_void_p, c_char_p, _ERR_OUT)
    fn("yespo_message_email", c_int, c_void_p, c_char_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_message_sms", c_int, c_void_p, c_char_p, _BUF_OUT, _ERR_OUT)
    fn("yespo_message_send", c_int, c_void_p, c_int64, c_char_p, _BUF_OUT, _ERR_OUT)


def _load() -> tuple[ctypes.CDLL, str]:
    lib = _open_library()
    # The version first: a library of another ABI may lack (or differ in) the other functions.
    try:
        abi_fn = lib.yespo_abi_version
    except AttributeError as exc:
        raise ImportError(f"yespo: {lib._name} is not libyespo (no yespo_abi_version)") from exc
    abi_fn.restype = c_int
    abi_fn.argtypes = []
    abi = int(abi_fn())
    if abi != EXPECTED_ABI_VERSION:
        raise ImportError(
            f"yespo: {lib._name} speaks C ABI version {abi}, this package needs "
            f"{EXPECTED_ABI_VERSION}; install matching versions of the package and libyespo"
        )
    try:
        _declare(lib)
    except AttributeError as exc:
        raise ImportError(f"yespo: {lib._name} lacks a function of the yespo C ABI: {exc}") from exc
    return lib, str(lib._name)


lib, library_path = _load()


def take_string(ptr: Optional[int]) -> str:
    """Copies a NUL-terminated buffer the library returned, then frees it."""
    if not ptr:
        return ""
    try:
        raw = ctypes.string_at(ptr)
    finally:
        lib.yespo_free(ptr)
    return raw.decode("utf-8", errors="replace")


def take_bytes(ptr: Optional[int], length: int) -> bytes:
    """Copies a buffer of known length the library returned, then frees it."""
    if not ptr:
        return b""
    try:
        return ctypes.string_at(ptr, length)
    finally:
        lib.yespo_free(ptr)


def strerror(code: int) -> str:
    text = lib.yespo_strerror(code)
    return text.decode("utf-8", errors="replace") if isinstance(text, bytes) else str(code)


def library_version() -> str:
    text = lib.yespo_version()
    return text.decode("ascii", errors="replace") if isinstance(text, bytes) else "unknown"
