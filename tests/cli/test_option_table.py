"""The CLI and docs/options.md against the library's one option table: every flag the table names
exists in `yespo upsert --help`, and the options page is what the generator makes of the table."""
import os
import sys

from conftest import ROOT, run_cli

sys.path.insert(0, str(ROOT / "scripts"))
import gen_options_doc  # noqa: E402

LIB = os.environ.get("YESPO_LIB") or str(ROOT / "dist" / "lib" / "libyespo.so")


def test_every_flag_of_the_table_is_a_cli_flag():
    tables = gen_options_doc.load_tables(LIB)
    help_text = run_cli(["upsert", "--help"]).stdout
    flags = [o["cli"] for o in tables["client"] + tables["upsert"] if o.get("cli")]
    assert flags
    missing = [f for f in flags if f not in help_text]
    assert not missing, f"the option table names CLI flags that `yespo upsert` lacks: {missing}"


def test_the_options_page_is_current():
    want = gen_options_doc.render(gen_options_doc.load_tables(LIB))
    got = (ROOT / "docs" / "options.md").read_text(encoding="utf-8")
    assert got == want, "docs/options.md is stale: run python scripts/gen_options_doc.py"
