#!/usr/bin/env python3
"""Writes docs/options.md from the library's one option table (yespo_options_json), so the doc
cannot drift from what every door accepts; tests/cli/test_option_table.py fails when it is stale.

    python scripts/gen_options_doc.py [LIB] [OUT]      # LIB default: $YESPO_LIB or dist/lib/libyespo.so
"""
from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_tables(lib_path: str) -> dict:
    lib = ctypes.CDLL(lib_path)
    lib.yespo_options_json.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
    lib.yespo_options_json.restype = ctypes.c_int
    lib.yespo_free.argtypes = [ctypes.c_void_p]
    out, err = ctypes.c_void_p(), ctypes.c_void_p()
    if lib.yespo_options_json(ctypes.byref(out), ctypes.byref(err)) != 0:
        raise SystemExit("yespo_options_json failed")
    try:
        return json.loads(ctypes.string_at(out.value).decode("utf-8"))
    finally:
        lib.yespo_free(out)


def cell(value) -> str:
    return "—" if value in (None, "") else f"`{value}`"


def render(tables: dict) -> str:
    lines = [
        "# Options",
        "",
        "Generated from the library's one option table (`yespo_options_json`) by",
        "`scripts/gen_options_doc.py`; `make test` fails when this page is stale. Ranges are checked by",
        "the core in every door; `yespo_option_bounds` returns them.",
        "",
        "## Client options",
        "",
        "| C (`yespo_option`) | range | default | Python | Go | CLI | what |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in tables["client"]:
        rng = "string" if o["type"] == "string" else ("0/1" if o["type"] == "boolean" else f"{o['min']}..{o['max']}")
        py = o["python"] + (" (seconds)" if o.get("pythonUnit") == "s" else "")
        lines.append(f"| `{o['name']}` = {o['id']} | {rng} | {o['default']} | {cell(py)} | {cell(o['go'])} | "
                     f"{cell(o['cli'])} | {o['doc']} |")
    lines += [
        "",
        "## Bulk upsert options (`yespo_upsert_begin` JSON)",
        "",
        "| JSON key | type | default | Python | Go (`UpsertOptions`) | CLI | what |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in tables["upsert"]:
        kind = o["type"] + (": " + ", ".join(o["values"]) if o["values"] else "")
        lines.append(f"| `{o['key']}` | {kind} | {o['default'] or '—'} | {cell(o['python'])} | {cell(o['go'])} | "
                     f"{cell(o['cli'])} | {o['doc']} |")
    if tables.get("sync"):
        lines += [
            "",
            "## Sync options (`yespo_sync_begin` JSON, with every bulk option above)",
            "",
            "| JSON key | type | default | Python | Go (`SyncOptions`) | CLI | what |",
            "|---|---|---|---|---|---|---|",
        ]
        for o in tables["sync"]:
            lines.append(f"| `{o['key']}` | {o['type']} | {o['default'] or '—'} | {cell(o['python'])} | {cell(o['go'])} | "
                         f"{cell(o['cli'])} | {o['doc']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    lib = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("YESPO_LIB") or str(ROOT / "dist" / "lib" / "libyespo.so")
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "options.md"
    out.write_text(render(load_tables(lib)), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
