"""CSV as CRM exports really are: quoted fields, embedded newlines, a BOM, CRLF, missing and extra
columns, bytes that are not UTF-8. Good rows go through; each bad row is reported by its row
number with a reason that says what is wrong; nothing crashes."""
from conftest import read_ndjson, run_cli, summary_json


def upsert_bytes(emu, tmp_path, data: bytes, *args):
    f = tmp_path / "in.csv"
    f.write_bytes(data)
    rej = tmp_path / "rej.ndjson"
    p = run_cli(["upsert", "--json", "--rejects", str(rej), str(f), *args], emu=emu)
    assert p.returncode in (0, 1), f"exit {p.returncode}: {p.stderr}"
    return p, summary_json(p), read_ndjson(rej)


def emails(emu):
    return sorted(emu.emails())


def test_quoted_fields_and_embedded_newlines(emu, tmp_path):
    data = ('First name,Last name,Email,City\n'
            '"Smith, John","O""Brien",john@example.com,"Kyiv"\n'
            '"Multi\nLine",Doe,multi@example.com,"Line one\nline two"\n'
            'Plain,Row,plain@example.com,Lviv\n').encode()
    p, s, rej = upsert_bytes(emu, tmp_path, data)
    assert p.returncode == 0, rej
    assert s["rows"] == 3 and s["accepted"] == 3
    got = {c["channels"][0]["value"]: c for c in emu.contacts()}
    assert got["john@example.com"]["firstName"] == "Smith, John"
    assert got["john@example.com"]["lastName"] == 'O"Brien'
    assert got["multi@example.com"]["firstName"] == "Multi\nLine"


def test_bom_and_crlf(emu, tmp_path):
    data = b"\xef\xbb\xbfEmail,First name\r\nbom@example.com,Bo\r\ncrlf@example.com,Cr\r\n"
    p, s, _ = upsert_bytes(emu, tmp_path, data)
    assert p.returncode == 0
    assert s["accepted"] == 2
    got = {c["channels"][0]["value"]: c for c in emu.contacts()}
    assert got["crlf@example.com"]["firstName"] == "Cr"   # no stray \r
    assert "bom@example.com" in got                        # the BOM did not hide the Email column


def test_missing_and_extra_columns(emu, tmp_path):
    data = (b"Email,First name,Last name\n"
            b"full@example.com,Full,Row\n"
            b"short@example.com\n"                          # fewer fields than the header
            b"extra@example.com,Ex,Tra,surplus,fields\n"    # more fields than the header
            b",NoEmail,Row\n")                              # no channel at all
    p, s, rej = upsert_bytes(emu, tmp_path, data)
    assert s["rows"] == 4
    by_row = {r["row"]: r for r in rej}
    assert sorted(by_row) == [3, 4]
    assert by_row[3]["outcome"] == "invalid" and "column" in by_row[3]["reason"]   # surplus cells
    assert by_row[4]["outcome"] == "invalid" and by_row[4]["reason"]              # no channel
    assert emails(emu) == ["full@example.com", "short@example.com"]   # a short row is read as empty cells
    # every row is accounted for exactly once
    assert s["accepted"] + s["invalid"] + s["rejected"] + s["duplicates"] + s["notSent"] == 4
    for row, r in by_row.items():
        assert r["reason"], f"row {row} has no reason"


def test_unknown_column_is_ignored_or_mappable(emu, tmp_path):
    data = b"Email,Favourite colour\nc1@example.com,blue\n"
    p, s, rej = upsert_bytes(emu, tmp_path, data)
    assert s["rows"] == 1
    assert s["accepted"] == 1, rej


def test_non_utf8_bytes_make_that_row_invalid(emu, tmp_path):
    data = (b"Email,First name\n"
            b"ok1@example.com,Good\n"
            b"bad@example.com,Bad\xff\xfename\n"
            b"ok2@example.com,Also good\n")
    p, s, rej = upsert_bytes(emu, tmp_path, data)
    assert p.returncode == 1
    assert s["accepted"] == 2 and s["invalid"] == 1
    assert [r["row"] for r in rej] == [2]
    assert "utf" in rej[0]["reason"].lower()
    assert emails(emu) == ["ok1@example.com", "ok2@example.com"]


def test_invalid_values_have_clear_reasons(emu, tmp_path):
    data = (b"Email,Sms,First name\n"
            b"not-an-email,,A\n"
            b",12ab,B\n"
            b"x@example.com,," + b"L" * 41 + b"\n")
    p, s, rej = upsert_bytes(emu, tmp_path, data)
    assert p.returncode == 1
    assert [r["row"] for r in rej] == [1, 2, 3]
    reasons = [r["reason"].lower() for r in rej]
    assert "email" in reasons[0]
    assert "sms" in reasons[1] or "phone" in reasons[1]
    assert "name" in reasons[2] or "40" in reasons[2]
    assert emu.summary()["contacts"] == 0


def test_empty_csv_and_header_only(emu, tmp_path):
    p, s, rej = upsert_bytes(emu, tmp_path, b"Email,First name\n")
    assert p.returncode == 0 and s["rows"] == 0
