"""The library's one option table (``yespo_options_json``): the name, kind, unit and bounds of
every client option and the keys of every bulk option. The binding reads it instead of copying
numbers from the header; tests compare its keywords with the table."""

from __future__ import annotations

import functools
from typing import Any

import orjson

from ._ffi import call_out_string
from ._native import lib


@functools.lru_cache(maxsize=1)
def option_tables() -> dict[str, Any]:
    text = call_out_string(lib.yespo_options_json, context="reading the option table")
    tables: dict[str, Any] = orjson.loads(text)
    return tables


def client_options() -> dict[str, dict[str, Any]]:
    """Python keyword → its row of the client option table."""
    return {row["python"]: row for row in option_tables()["client"] if row.get("python")}


def upsert_options() -> dict[str, dict[str, Any]]:
    """Python keyword → its row of the bulk option table."""
    return {row["python"]: row for row in option_tables()["upsert"] if row.get("python")}
