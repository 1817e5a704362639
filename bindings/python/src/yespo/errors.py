"""The exception hierarchy: one class per YESPO_E_* family, each carrying code, status, message.

    YespoError
     ├── ValidationError (also a ValueError)   bad arguments or input data
     ├── APIError                              the server answered with an error status
     │    ├── AuthenticationError              401/403: the API key was refused
     │    ├── RateLimitError                   429 and retries ran out
     │    └── NotFoundError                    404
     ├── TransportError                        connection, DNS, TLS failures
     │    └── YespoTimeoutError (also a TimeoutError)
     ├── ProtocolError                         an answer that cannot be understood
     ├── CancelledError                        the job was cancelled
     ├── FileAccessError (also an OSError)     a file could not be opened or read
     ├── StateError                            not allowed now (closed client, finished job)
     └── InternalError                         out of memory or a bug in libyespo
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .report import UpsertReport

from ._constants import (  # noqa: E402 - generated from include/yespo.h; re-exported
    E_AUTH as E_AUTH,
    E_BAD_HANDLE as E_BAD_HANDLE,
    E_CANCELLED as E_CANCELLED,
    E_HTTP as E_HTTP,
    E_INTERNAL as E_INTERNAL,
    E_INVALID_ARGUMENT as E_INVALID_ARGUMENT,
    E_INVALID_INPUT as E_INVALID_INPUT,
    E_IO as E_IO,
    E_NOMEM as E_NOMEM,
    E_NOT_FOUND as E_NOT_FOUND,
    E_PROTOCOL as E_PROTOCOL,
    E_RATE_LIMITED as E_RATE_LIMITED,
    E_STATE as E_STATE,
    E_TIMEOUT as E_TIMEOUT,
    E_TRANSPORT as E_TRANSPORT,
)


class YespoError(Exception):
    """Any failure reported by yespo.

    ``code`` is the library's ``YESPO_E_*`` code (negative), ``status`` the HTTP status that caused
    it (0 when no HTTP answer was involved), ``message`` the detailed text. ``report`` is set when the
    error ended a bulk upsert: it says what happened to every row read so far.
    """

    def __init__(self, message: str, code: int = E_INTERNAL, status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.report: Optional[UpsertReport] = None

    def __str__(self) -> str:
        if self.status and f"HTTP {self.status}" not in self.message:
            return f"{self.message} (HTTP {self.status})"
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code}, status={self.status})"

    def __reduce__(self) -> Any:
        # Survive pickling (multiprocessing) with every attribute but the report.
        return (_rebuild, (type(self), self.message, self.code, self.status))


def _rebuild(cls: type[YespoError], message: str, code: int, status: int) -> YespoError:
    err = cls.__new__(cls)
    YespoError.__init__(err, message, code, status)
    return err


class ValidationError(YespoError, ValueError):
    """An argument or an input row is not acceptable; the message says which and where."""

    def __init__(self, message: str, code: int = E_INVALID_ARGUMENT, status: int = 0) -> None:
        super().__init__(message, code, status)


class APIError(YespoError):
    """The Yespo API answered with an error status (``status``)."""


class AuthenticationError(APIError):
    """The API key was refused (HTTP 401/403) or is missing."""


class RateLimitError(APIError):
    """HTTP 429 persisted after every retry."""


class NotFoundError(APIError):
    """HTTP 404: no such contact, segment or import session."""


class TransportError(YespoError):
    """The request did not get an answer: connection refused or reset, DNS, TLS."""


class YespoTimeoutError(TransportError, TimeoutError):
    """A request or a wait ran past its time limit."""


class ProtocolError(YespoError):
    """The server answered something that cannot be understood."""


class CancelledError(YespoError):
    """The job was cancelled."""


class FileAccessError(YespoError, OSError):
    """A file could not be opened or read."""


class StateError(YespoError):
    """The call is not allowed now: the client is closed, the job already finished."""


class InternalError(YespoError):
    """Out of memory, or a bug in libyespo (please report it)."""


_BY_CODE: dict[int, type[YespoError]] = {
    E_INVALID_ARGUMENT: ValidationError,
    E_INVALID_INPUT: ValidationError,
    E_NOMEM: InternalError,
    E_IO: FileAccessError,
    E_AUTH: AuthenticationError,
    E_RATE_LIMITED: RateLimitError,
    E_HTTP: APIError,
    E_NOT_FOUND: NotFoundError,
    E_TRANSPORT: TransportError,
    E_TIMEOUT: YespoTimeoutError,
    E_PROTOCOL: ProtocolError,
    E_CANCELLED: CancelledError,
    E_STATE: StateError,
    E_BAD_HANDLE: StateError,
    E_INTERNAL: InternalError,
}


def error_class(code: int) -> type[YespoError]:
    return _BY_CODE.get(code, YespoError)


def make_error(code: int, message: str, status: int = 0) -> YespoError:
    cls = error_class(code)
    err = cls.__new__(cls)
    YespoError.__init__(err, message, code, status)
    return err
