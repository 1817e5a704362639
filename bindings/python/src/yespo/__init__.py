"""yespo — a fast, safe client for the Yespo (eSputnik) contacts API.

    import yespo
    with yespo.Client() as client:                 # key from YESPO_API_KEY
        report = client.upsert_contacts(rows, group_names=["Customers"])
        report.raise_for_failures()

The work happens in libyespo (a native core: parallel chunks, retries, rate limits, per-row
outcomes); this package binds its C ABI with ctypes. Do not ``fork`` a process after a client was
created (the core runs threads); use the ``spawn`` or ``forkserver`` start methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._native import library_path, library_version
from .client import Client
from .dataframes import FrameUpsertReport
from .errors import (
    APIError,
    AuthenticationError,
    CancelledError,
    FileAccessError,
    InternalError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    StateError,
    TransportError,
    ValidationError,
    YespoError,
    YespoTimeoutError,
)
from .progress import TqdmProgress, tqdm_progress
from ._sync import SyncReport, sync_status
from .report import ChunkInfo, Progress, RowOutcome, UnmappedFailure, UpsertReport
from ._kinds import Order, OrderItem
from .types import Address, Channel, Contact, Event, EventParam, Field, ImportStatus, Segment

if TYPE_CHECKING:
    from .aio import AsyncClient

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "Address",
    "AsyncClient",
    "AuthenticationError",
    "CancelledError",
    "Channel",
    "ChunkInfo",
    "Client",
    "Contact",
    "Event",
    "EventParam",
    "Field",
    "FileAccessError",
    "FrameUpsertReport",
    "ImportStatus",
    "InternalError",
    "NotFoundError",
    "Order",
    "OrderItem",
    "Progress",
    "ProtocolError",
    "RateLimitError",
    "RowOutcome",
    "Segment",
    "StateError",
    "TqdmProgress",
    "SyncReport",
    "TransportError",
    "UnmappedFailure",
    "UpsertReport",
    "ValidationError",
    "YespoError",
    "YespoTimeoutError",
    "core_version",
    "library_path",
    "tqdm_progress",
    "sync_status",
]


def core_version() -> str:
    """The version of the loaded libyespo (``yespo_version()``)."""
    return library_version()


def __getattr__(name: str) -> Any:
    # AsyncClient brings asyncio and concurrent.futures (~8 MiB and ~20 ms at import): loaded
    # on first use, so a synchronous job (upsert_file, a script) does not pay for them.
    if name == "AsyncClient":
        from .aio import AsyncClient
        return AsyncClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
