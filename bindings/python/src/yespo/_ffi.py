"""Small helpers around one ABI call: the error out-parameter, the returned buffers."""

from __future__ import annotations

import ctypes
from typing import Any, Callable, Optional

from ._native import lib, strerror, take_string
from .errors import YespoError, make_error


class ErrorSlot:
    """A ``yespo_error *`` out-parameter; turns a failed call into a Python exception."""

    __slots__ = ("ptr",)

    def __init__(self) -> None:
        self.ptr = ctypes.c_void_p(None)

    @property
    def ref(self) -> Any:
        return ctypes.byref(self.ptr)

    def exception(self, rc: int, context: str = "") -> YespoError:
        """Builds the exception for return code ``rc`` and frees the error object."""
        handle = self.ptr.value
        if handle:
            try:
                code = int(lib.yespo_error_code(handle))
                status = int(lib.yespo_error_http_status(handle))
                raw = lib.yespo_error_message(handle)
                message = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else ""
            finally:
                lib.yespo_error_free(handle)
                self.ptr.value = None
        else:
            code, status, message = rc, 0, ""
        if not message:
            message = strerror(code)
        if context:
            message = f"{context}: {message}"
        return make_error(code, message, status)

    def check(self, rc: int, context: str = "") -> None:
        if rc != 0:
            raise self.exception(rc, context)


def call_out_string(fn: Callable[..., int], *args: Any, context: str = "") -> str:
    """Calls ``fn(*args, char **out, yespo_error **err)`` and returns the text it produced."""
    out = ctypes.c_void_p(None)
    err = ErrorSlot()
    rc = int(fn(*args, ctypes.byref(out), err.ref))
    if rc != 0:
        take_string(out.value)  # the contract says NULL on failure; free defensively anyway
        raise err.exception(rc, context)
    return take_string(out.value)


def call_no_out(fn: Callable[..., int], *args: Any, context: str = "") -> None:
    """Calls ``fn(*args, yespo_error **err)``."""
    err = ErrorSlot()
    rc = int(fn(*args, err.ref))
    err.check(rc, context)


def encode_text(value: Optional[str]) -> Optional[bytes]:
    return None if value is None else value.encode("utf-8")
