"""``yespo.Client``: construction, settings and lifetime; the methods live in one module per
group (_upserts, _contacts, _imports, _segments)."""

from __future__ import annotations

import ctypes
import os
import threading
import time
import weakref
from typing import Any, Optional, Union

import orjson

from . import _args, _budget, _fork
from ._contacts import ContactMethods
from ._ffi import ErrorSlot, call_no_out, call_out_string
from ._imports import ImportMethods
from ._job import JobRun
from ._log import LOG_CALLBACK, core_max_level
from ._native import lib
from ._segments import SegmentMethods
from ._upserts import UpsertMethods
from .errors import AuthenticationError, StateError, ValidationError

# Integer and string options of include/yespo.h (yespo_option).
_OPT_CONCURRENCY = 1
_OPT_RATE_LIMIT = 2
_OPT_CONNECT_TIMEOUT_MS = 3
_OPT_TIMEOUT_MS = 4
_OPT_STALL_TIMEOUT_MS = 5
_OPT_MAX_RETRIES = 6
_OPT_RETRY_BASE_MS = 7
_OPT_RETRY_MAX_MS = 8
_OPT_CHUNK_SIZE = 9
_OPT_CHUNK_BYTES = 10
_OPT_ALLOW_INSECURE_HTTP = 11
_OPT_VERIFY_TLS = 12
_OPT_MAX_QUEUED_CHUNKS = 13
_OPT_IMPORT_POLL_MS = 14
_OPT_IMPORT_TIMEOUT_MS = 15
_OPT_ADAPTIVE_CONCURRENCY = 16
_OPT_SHARED_BUDGET_PROCESSES = 40
_OPT_SHARED_BUDGET_FALLBACK = 41
_OPT_BASE_URL = 100
_OPT_USER_AGENT = 101
_OPT_CA_FILE = 102
_OPT_SHARED_BUDGET = 120
_OPT_SHARED_BUDGET_NAME = 121
# Applied in this order, the URL last: setting it connects to Redis (docs/beyond-one-machine.md).
_SHARED_BUDGET_OPTIONS = ("shared_budget_processes", "shared_budget_fallback", "shared_budget_name",
                          "shared_budget")

DEFAULT_BASE_URL = "https://api.yespo.io/api/v1"
# close() waits this long for running upserts to wind down after cancelling them.
_CLOSE_WAIT = 30.0

PathLike = Union[str, "os.PathLike[str]"]


class Client(UpsertMethods, ContactMethods, ImportMethods, SegmentMethods):
    """A client of the Yespo API. Safe to share between threads; use it as a context manager or
    call :meth:`close`.

    ``api_key`` defaults to the ``YESPO_API_KEY`` environment variable. Times are in seconds.
    Options left as ``None`` keep the library's defaults (see ``include/yespo.h``).
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        concurrency: Optional[int] = None,
        rate_limit: Optional[int] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        stall_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        retry_base: Optional[float] = None,
        retry_max: Optional[float] = None,
        chunk_size: Optional[int] = None,
        chunk_bytes: Optional[int] = None,
        max_queued_chunks: Optional[int] = None,
        adaptive_concurrency: Optional[bool] = None,
        import_poll_interval: Optional[float] = None,
        import_timeout: Optional[float] = None,
        allow_insecure_http: Optional[bool] = None,
        verify_tls: Optional[bool] = None,
        ca_file: Optional[PathLike] = None,
        user_agent: Optional[str] = None,
        shared_budget: Optional[str] = None,
        shared_budget_name: Optional[str] = None,
        shared_budget_processes: Optional[int] = None,
        shared_budget_fallback: Optional[str] = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("YESPO_API_KEY")
        if key is None or (isinstance(key, str) and not key.strip()):
            raise AuthenticationError("no API key: pass api_key=... or set YESPO_API_KEY", -5, 0)
        _args.text("api_key", key)
        ptr = ctypes.c_void_p(None)
        err = ErrorSlot()
        rc = int(lib.yespo_client_new(key.encode("utf-8"), ctypes.byref(ptr), err.ref))
        del key, api_key  # keep the key out of frames and tracebacks
        if rc != 0:
            raise err.exception(rc, "creating the client")
        self._ptr: Optional[int] = ptr.value
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._jobs: set[JobRun] = set()
        self._closing = False
        self._finalizer = weakref.finalize(self, lib.yespo_client_free, ptr.value)
        self._forked = False
        _fork.track(self)
        self._log_level = 0
        self._base_url = DEFAULT_BASE_URL
        self._concurrency: Optional[int] = None
        self._import_timeout_ms = 1_200_000
        try:
            self._configure(
                base_url=base_url, concurrency=concurrency, rate_limit=rate_limit, timeout=timeout,
                connect_timeout=connect_timeout, stall_timeout=stall_timeout,
                max_retries=max_retries, retry_base=retry_base, retry_max=retry_max,
                chunk_size=chunk_size, chunk_bytes=chunk_bytes, max_queued_chunks=max_queued_chunks,
                adaptive_concurrency=adaptive_concurrency,
                import_poll_interval=import_poll_interval, import_timeout=import_timeout,
                allow_insecure_http=allow_insecure_http, verify_tls=verify_tls, ca_file=ca_file,
                user_agent=user_agent, shared_budget_processes=shared_budget_processes,
                shared_budget_fallback=shared_budget_fallback, shared_budget_name=shared_budget_name,
                shared_budget=shared_budget,
            )
            self._handle()  # installs the log callback
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ lifecycle

    def _handle(self) -> int:
        ptr = self._ptr
        if ptr is None:
            if self._forked:
                raise StateError("this client was created before os.fork() and cannot be used in the "
                                 "child process: create a new Client there (or use the 'spawn' start "
                                 "method)", -13, 0)
            raise StateError("the client is closed", -13, 0)
        if core_max_level() != self._log_level:  # the app changed the yespo logger's level
            self._sync_log_level(ptr)
        return ptr

    def close(self) -> None:
        """Cancels running upserts (they still return their report, ``cancelled=True``), closes
        connections and frees the client. Idempotent; safe from any thread except a progress
        callback."""
        me = threading.get_ident()
        with self._idle:
            if self._ptr is None:
                return
            self._closing = True
            for run in self._jobs:
                run.cancel()
            # Let each upsert build its report before the client (and its jobs) go away.
            deadline = time.monotonic() + _CLOSE_WAIT
            while any(run.owner != me for run in self._jobs) and time.monotonic() < deadline:
                self._idle.wait(timeout=0.1)
            self._ptr = None
        self._finalizer()

    def disown_after_fork(self) -> None:
        """In a forked child: forget the parent's client without freeing it (see _fork)."""
        self._finalizer.detach()
        self._lock = threading.Lock()  # a parent thread may have held the old one at fork time
        self._idle = threading.Condition(self._lock)
        self._jobs = set()
        self._ptr = None
        self._forked = True

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._ptr is None else "open"
        extra = f", concurrency={self._concurrency}" if self._concurrency is not None else ""
        return f"<yespo.Client {state} base_url={self._base_url!r}{extra}>"

    def __reduce__(self) -> Any:
        raise TypeError("a yespo.Client cannot be pickled: create one in each process")

    # ------------------------------------------------------------------ settings

    def configure(self, **options: Any) -> None:
        """Changes settings (same names as the constructor) for requests and jobs started later."""
        self._configure(**options)

    def _configure(self, **options: Any) -> None:
        ints = {
            "concurrency": (_OPT_CONCURRENCY, 1, 256),
            "rate_limit": (_OPT_RATE_LIMIT, 0, 1_000_000),
            "max_retries": (_OPT_MAX_RETRIES, 0, 100),
            "chunk_size": (_OPT_CHUNK_SIZE, 1, 3000),
            "chunk_bytes": (_OPT_CHUNK_BYTES, 64 * 1024, _args.INT64_MAX),
            "max_queued_chunks": (_OPT_MAX_QUEUED_CHUNKS, 1, 1_000_000),
        }
        seconds = {
            "timeout": _OPT_TIMEOUT_MS,
            "connect_timeout": _OPT_CONNECT_TIMEOUT_MS,
            "stall_timeout": _OPT_STALL_TIMEOUT_MS,
            "retry_base": _OPT_RETRY_BASE_MS,
            "retry_max": _OPT_RETRY_MAX_MS,
            "import_poll_interval": _OPT_IMPORT_POLL_MS,
            "import_timeout": _OPT_IMPORT_TIMEOUT_MS,
        }
        bools = {
            "adaptive_concurrency": _OPT_ADAPTIVE_CONCURRENCY,
            "allow_insecure_http": _OPT_ALLOW_INSECURE_HTTP,
            "verify_tls": _OPT_VERIFY_TLS,
        }
        strings = {"base_url": _OPT_BASE_URL, "user_agent": _OPT_USER_AGENT, "ca_file": _OPT_CA_FILE,
                   "shared_budget": _OPT_SHARED_BUDGET, "shared_budget_name": _OPT_SHARED_BUDGET_NAME}
        ints["shared_budget_processes"] = (_OPT_SHARED_BUDGET_PROCESSES, 1, 100_000)
        handle = self._handle()
        ordered = sorted(options.items(), key=lambda kv: _SHARED_BUDGET_OPTIONS.index(kv[0])
                         if kv[0] in _SHARED_BUDGET_OPTIONS else -1)
        for name, value in ordered:
            if name == "shared_budget_fallback":
                if value is not None:
                    call_no_out(lib.yespo_client_set_option, handle, _OPT_SHARED_BUDGET_FALLBACK,
                                _budget.fallback_code(value), context=f"setting {name}")
                continue
            if value is None:
                continue
            if name in ints:
                opt, lo, hi = ints[name]
                number = _args.integer(name, value, lo, hi)
            elif name in seconds:
                opt, number = seconds[name], _args.seconds_to_ms(name, value)
            elif name in bools:
                opt, number = bools[name], int(_args.boolean(name, value))
            elif name in strings:
                raw = _args.path(name, value) if name == "ca_file" else _args.text(name, value)
                call_no_out(lib.yespo_client_set_option_str, handle, strings[name], raw.encode("utf-8"),
                            context=f"setting {name}")
                if name == "base_url":
                    self._base_url = raw
                continue
            else:
                raise ValidationError(f"unknown client option {name!r}")
            call_no_out(lib.yespo_client_set_option, handle, opt, number, context=f"setting {name}")
            if name == "concurrency":
                self._concurrency = number
            elif name == "import_timeout":
                self._import_timeout_ms = number

    def _sync_log_level(self, ptr: int) -> None:
        """Asks the core for exactly the lines the ``yespo`` logger would emit now."""
        level = core_max_level()
        call_no_out(lib.yespo_client_set_log_callback, ptr, LOG_CALLBACK, level, None,
                    context="installing the log callback")
        self._log_level = level

    def stats(self) -> dict[str, int]:
        """Cumulative transport statistics: requests, retries, throttled, bytesSent, ..."""
        text = call_out_string(lib.yespo_client_stats, self._handle(), context="reading stats")
        result: dict[str, int] = orjson.loads(text)
        return result
