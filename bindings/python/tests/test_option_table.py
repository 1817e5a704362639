"""The binding against the library's one option table and the header: constants are generated
from include/yespo.h (and regenerating them changes nothing), and every option the table names for
Python is a keyword of the Client or of the upsert calls — so a copy that drifts fails here."""

from __future__ import annotations

import ctypes
import inspect
import sys
from pathlib import Path

import pytest

import yespo
from yespo import _constants
from yespo._native import lib
from yespo._options import client_options, option_tables, upsert_options

ROOT = Path(__file__).resolve().parents[3]
HEADER = ROOT / "include" / "yespo.h"


@pytest.mark.skipif(not HEADER.exists(), reason="needs the repository's header (the wheel check runs these tests alone)")
def test_constants_are_the_headers() -> None:
    sys.path.insert(0, str(ROOT / "bindings" / "python" / "tools"))
    import gen_constants

    header = HEADER.read_text(encoding="utf-8")
    generated = gen_constants.render(header)
    committed = Path(_constants.__file__).read_text(encoding="utf-8")
    assert committed == generated, "run: python bindings/python/tools/gen_constants.py"


def test_every_client_option_is_a_client_keyword_with_the_header_number() -> None:
    keywords = set(inspect.signature(yespo.Client.__init__).parameters)
    for row in option_tables()["client"]:
        assert getattr(_constants, row["name"].removeprefix("YESPO_")) == row["id"], row["name"]
        assert row["python"] in keywords, f"{row['name']}: yespo.Client has no keyword {row['python']!r}"


def test_every_upsert_option_is_a_keyword_of_both_upsert_calls() -> None:
    from yespo._upserts import UpsertMethods  # Client.upsert_contacts routes DataFrames, then calls this

    for call in (UpsertMethods.upsert_contacts, UpsertMethods.upsert_file):
        keywords = set(inspect.signature(call).parameters)
        # "kind" is chosen by the method: upsert_orders / upsert_events (and their _file forms).
        missing = [name for name in upsert_options() if name not in keywords and name != "kind"]
        assert not missing, f"{call.__name__} lacks {missing}"
    assert "kind" in upsert_options()
    for method in ("upsert_orders", "upsert_orders_file", "upsert_events", "upsert_events_file"):
        assert callable(getattr(yespo.Client, method))


def test_bounds_come_from_the_library() -> None:
    lo, hi = ctypes.c_int64(), ctypes.c_int64()
    err = ctypes.c_void_p()
    assert lib.yespo_option_bounds(_constants.OPT_CHUNK_SIZE, ctypes.byref(lo), ctypes.byref(hi), ctypes.byref(err)) == 0
    assert (lo.value, hi.value) == (1, 3000) == (client_options()["chunk_size"]["min"], client_options()["chunk_size"]["max"])
    assert lib.yespo_option_bounds(_constants.OPT_BASE_URL, ctypes.byref(lo), ctypes.byref(hi), ctypes.byref(err)) == _constants.E_INVALID_ARGUMENT
    lib.yespo_error_free(err)
    # the Python check uses the same bounds: max_queued_chunks above the core's limit is refused here
    try:
        yespo.Client(api_key="k-1234", max_queued_chunks=client_options()["max_queued_chunks"]["max"] + 1)
    except yespo.ValidationError as exc:
        assert "max_queued_chunks" in str(exc)
    else:
        raise AssertionError("max_queued_chunks beyond the table's bound was accepted")
