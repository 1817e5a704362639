"""``yespo.Client``: construction, settings and lifetime; the methods live in one module per
group (_upserts, _contacts, _imports, _segments, _messages)."""

from __future__ import annotations

import ctypes
import os
import threading
import time
import weakref
from typing import Any, Optional, Union

import orjson

from . import _args, _budget, _cabundle, _fork
from ._contacts import ContactMethods
from .dataframes import DataFrameMethods
from ._ffi import ErrorSlot, call_no_out, call_out_string
from ._imports import ImportMethods
from ._job import JobRun
from ._log import LOG_CALLBACK, core_max_level
from ._native import lib
from ._options import client_options
from ._messages import MessageMethods
from ._segments import SegmentMethods
from ._sync import SyncMethods
from ._kinds import KindUpsertMethods
from .errors import AuthenticationError, StateError, ValidationError

# Applied in this order, the URL last: setting it connects to Redis (docs/beyond-one-machine.md).
_SHARED_BUDGET_OPTIONS = ("shared_budget_processes", "shared_budget_fallback", "shared_budget_name",
                          "shared_budget")

DEFAULT_BASE_URL = "https://api.yespo.io/api/v1"
# close() waits this long for running upserts to wind down after cancelling them.
_CLOSE_WAIT = 30.0

PathLike = Union[str, "os.PathLike[str]"]


class Client(DataFrameMethods, KindUpsertMethods, SyncMethods, ContactMethods, ImportMethods, SegmentMethods,
             MessageMethods):
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
        base_url_v2: Optional[str] = None,
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
        if ca_file is None:  # a wheel's own libcurl may not know this system's bundle (_cabundle)
            ca_file = _cabundle.default_ca_file()
        try:
            self._configure(
                base_url=base_url, concurrency=concurrency, rate_limit=rate_limit, timeout=timeout,
                connect_timeout=connect_timeout, stall_timeout=stall_timeout,
                max_retries=max_retries, retry_base=retry_base, retry_max=retry_max,
                chunk_size=chunk_size, chunk_bytes=chunk_bytes, max_queued_chunks=max_queued_chunks,
                adaptive_concurrency=adaptive_concurrency,
                import_poll_interval=import_poll_interval, import_timeout=import_timeout,
                allow_insecure_http=allow_insecure_http, verify_tls=verify_tls, ca_file=ca_file,
                user_agent=user_agent, base_url_v2=base_url_v2, shared_budget_processes=shared_budget_processes,
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
        # Kinds, units and bounds come from the library's option table, never copied here.
        table = client_options()
        handle = self._handle()
        ordered = sorted(options.items(), key=lambda kv: _SHARED_BUDGET_OPTIONS.index(kv[0])
                         if kv[0] in _SHARED_BUDGET_OPTIONS else -1)
        for name, value in ordered:
            if name == "shared_budget_fallback":
                if value is not None:
                    call_no_out(lib.yespo_client_set_option, handle, int(table[name]["id"]),
                                _budget.fallback_code(value), context=f"setting {name}")
                continue
            if value is None:
                continue
            spec = table.get(name)
            if spec is None:
                raise ValidationError(f"unknown client option {name!r}")
            opt, kind = int(spec["id"]), spec["type"]
            if kind == "string":
                # base_url_v2="" goes back to the URL derived from base_url
                raw = _args.path(name, value) if name == "ca_file" else _args.text(
                    name, value, allow_empty=name == "base_url_v2")
                call_no_out(lib.yespo_client_set_option_str, handle, opt, raw.encode("utf-8"),
                            context=f"setting {name}")
                if name == "base_url":
                    self._base_url = raw
                continue
            if kind == "boolean":
                number = int(_args.boolean(name, value))
            elif spec.get("pythonUnit") == "s":
                number = _args.seconds_to_ms(name, value)
            else:
                number = _args.integer(name, value, int(spec["min"]), int(spec["max"]))
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
