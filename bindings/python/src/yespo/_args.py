"""Checks of the caller's arguments, so that a wrong type fails here with a clear message
instead of deep in the core (or, for strings with NUL bytes, silently truncated by ctypes)."""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Iterable, Mapping, Optional, Union

from .errors import ValidationError

INT64_MAX = 2**63 - 1



def text(name: str, value: Any, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be a str, not {type(value).__name__}")
    if "\x00" in value:
        raise ValidationError(f"{name} must not contain NUL characters")
    if not allow_empty and not value.strip():
        raise ValidationError(f"{name} must not be empty")
    return value


def optional_text(name: str, value: Any) -> Optional[str]:
    return None if value is None else text(name, value)


def integer(name: str, value: Any, minimum: int = 0, maximum: int = INT64_MAX) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be an int, not {type(value).__name__}")
    if not minimum <= value <= maximum:
        raise ValidationError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def seconds_to_ms(name: str, value: Any, minimum_ms: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValidationError(f"{name} must be a finite number of seconds")
    ms = int(round(value * 1000))
    if ms < minimum_ms or ms > INT64_MAX:
        raise ValidationError(f"{name} must be at least {minimum_ms / 1000} seconds, got {value}")
    return ms


def string_list(name: str, value: Any) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError(
            f"{name} must be a list of str, not {type(value).__name__}"
            + (" (wrap a single name in a list)" if isinstance(value, str) else "")
        )
    items = list(value)
    for i, item in enumerate(items):
        text(f"{name}[{i}]", item)
    return items


def int_list(name: str, value: Any) -> list[int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError(f"{name} must be a list of int, not {type(value).__name__}")
    items = list(value)
    for i, item in enumerate(items):
        integer(f"{name}[{i}]", item)
    return items


def _allowed(keyword: str) -> tuple[str, ...]:
    """The values of an enum bulk option, from the library's option table."""
    from ._options import upsert_options  # late: _options needs the loaded library

    return tuple(upsert_options()[keyword]["values"])


def dedupe_key(value: Any) -> str:
    text("dedupe_on", value)
    keys = _allowed("dedupe_on")
    if value not in keys:
        raise ValidationError(f"dedupe_on must be one of {', '.join(keys)}; got {value!r}")
    return str(value)


def ack_on(value: Any) -> str:
    if not isinstance(value, str) or value not in _allowed("ack_on"):
        raise ValidationError(
            "ack_on must be 'accepted' (a later row of a contact may follow once the earlier "
            "one's request got HTTP 200) or 'finished' (once its import finished); "
            f"got {value!r}"
        )
    return value


def contact_object(name: str, value: Any) -> Any:
    """A single contact for the one-contact calls: a mapping or a dataclass instance."""
    if isinstance(value, Mapping) or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
        return value
    if callable(getattr(value, "model_dump", None)):
        return value
    raise ValidationError(f"{name} must be a dict (or a dataclass) in the API's contact shape, "
                          f"not {type(value).__name__}")


def contacts_iterable(value: Any) -> Iterable[Any]:
    if isinstance(value, (Mapping, str, bytes, bytearray)):
        raise ValidationError(
            f"contacts must be an iterable of contacts, not a single {type(value).__name__}"
            + ("; wrap one contact in a list" if isinstance(value, Mapping) else "")
        )
    if not isinstance(value, Iterable):
        raise ValidationError(f"contacts must be an iterable of contacts, not {type(value).__name__}")
    return value


def path(name: str, value: Union[str, "os.PathLike[str]"]) -> str:
    try:
        as_text = os.fspath(value)
    except TypeError:
        raise ValidationError(f"{name} must be a path (str or os.PathLike), not {type(value).__name__}") from None
    if not isinstance(as_text, str):
        raise ValidationError(f"{name} must be a str path, not bytes")
    return text(name, as_text)
