"""Bridges the core's log callback into ``logging.getLogger("yespo")``.

One C callback object serves every client (the logger is global), and it lives as long as the
module, so a library thread can never call into a collected ctypes thunk.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from ._native import LOG_FN

logger = logging.getLogger("yespo")
# The library convention: silent unless the application configures logging (no lastResort output).
logger.addHandler(logging.NullHandler())

from ._constants import LOG_DEBUG, LOG_ERROR, LOG_INFO, LOG_WARN  # noqa: E402 - from include/yespo.h
_TO_LOGGING = {
    LOG_ERROR: logging.ERROR,
    LOG_WARN: logging.WARNING,
    LOG_INFO: logging.INFO,
    LOG_DEBUG: logging.DEBUG,
}


def _on_log(level: int, message: Optional[bytes], _userdata: Any) -> None:
    try:
        text = message.decode("utf-8", errors="replace") if message else ""
        logger.log(_TO_LOGGING.get(level, logging.INFO), "%s", text)
    except Exception:  # never let an exception unwind into a library thread
        pass


LOG_CALLBACK = LOG_FN(_on_log)


def core_max_level() -> int:
    """The most detailed core level the ``yespo`` logger would actually emit."""
    if logger.isEnabledFor(logging.DEBUG):
        return LOG_DEBUG
    if logger.isEnabledFor(logging.INFO):
        return LOG_INFO
    if logger.isEnabledFor(logging.WARNING):
        return LOG_WARN
    return LOG_ERROR
