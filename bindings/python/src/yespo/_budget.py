"""The shared request budget's Python-side argument checks (docs/beyond-one-machine.md)."""

from __future__ import annotations

from typing import Any

from .errors import ValidationError

FALLBACKS = {"error": 0, "local": 1}


def fallback_code(value: Any) -> int:
    """``shared_budget_fallback``: what to do when Redis cannot be reached as the client starts."""
    if not isinstance(value, str) or value not in FALLBACKS:
        raise ValidationError(
            "shared_budget_fallback must be 'error' (fail when Redis cannot be reached at start) or "
            f"'local' (start on rate / shared_budget_processes and join when Redis answers); got {value!r}"
        )
    return FALLBACKS[value]
