"""Deterministic test inputs, shared by the tests and the cross-binding scenarios."""

from __future__ import annotations

from typing import Any, Iterable, Iterator


def email(i: int) -> str:
    return "user%05d@example.com" % i


def contact(i: int, **extra: Any) -> dict[str, Any]:
    """The standard row i (1-based) of bindings/scenarios.md."""
    row: dict[str, Any] = {
        "channels": [{"type": "email", "value": email(i)}],
        "firstName": "First%d" % i,
        "lastName": "Last%d" % i,
    }
    row.update(extra)
    return row


def contacts(n: int, start: int = 1) -> Iterator[dict[str, Any]]:
    for i in range(start, start + n):
        yield contact(i)


def first_names_by_email(stored: Iterable[dict[str, Any]]) -> dict[str, str]:
    """email → firstName of the live contact holding it, from the emulator's contact dump."""
    names: dict[str, str] = {}
    for c in stored:
        if c.get("deleted"):
            continue
        for channel in c.get("channels") or []:
            if channel.get("type") == "email":
                names[channel["value"]] = c.get("firstName") or ""
    return names
