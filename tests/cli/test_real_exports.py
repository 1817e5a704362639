"""Files as people export them, fed to `yespo upsert` with no options: a European Excel export
(';', UTF-8 BOM, CRLF, "First name;Last name;Email;Phone"), the same sheet saved as "Unicode
text" (UTF-16 LE with a BOM, tab-separated), a windows-1251 file of Cyrillic names (--encoding),
headers spelled the way CRMs spell them; and the messages when a file cannot be read: the file
named once, what was found, and the fix (--delimiter, --encoding, the iconv line)."""
import json

from conftest import read_ndjson, run_cli, summary_json

EXCEL_EU = ("\ufeffFirst name;Last name;Email;Phone\r\n"
            "Anna;Müller;anna.mueller@example.de;+49 30 1234567\r\n"
            "\"Jean; Luc\";Picard;jl.picard@example.fr;\r\n"
            "Zoë;Ødegård;zoe@example.no;+47 22 12 34 56\r\n")


def by_email(emu):
    out = {}
    for c in emu.contacts():
        for ch in c.get("channels", []):
            if ch.get("type") == "email":
                out[ch["value"]] = c
    return out


def test_european_excel_export_goes_through_without_options(emu, tmp_path):
    f = tmp_path / "export.csv"
    f.write_bytes(EXCEL_EU.encode("utf-8"))
    report = tmp_path / "report.json"
    p = run_cli(["upsert", str(f), "--report", str(report)], emu=emu)
    assert p.returncode == 0, p.stderr
    got = by_email(emu)
    assert got["anna.mueller@example.de"]["lastName"] == "Müller"
    assert got["jl.picard@example.fr"]["firstName"] == "Jean; Luc"
    assert got["zoe@example.no"]["firstName"] == "Zoë"
    phones = [ch["value"] for ch in got["anna.mueller@example.de"]["channels"] if ch["type"] == "sms"]
    assert phones == ["49301234567"]
    # The mapping is printed once, at the start, on stderr ...
    assert p.stderr.count("yespo: reading") == 1
    assert "delimiter ';' (sniffed), utf-8 (BOM)" in p.stderr
    assert "First name → firstName, Last name → lastName, Email → email, Phone → sms" in p.stderr
    # ... and kept in the report.
    files = json.loads(report.read_text())["files"]
    assert [c["field"] for c in files[0]["columns"]] == ["firstName", "lastName", "email", "sms"]
    assert files[0]["delimiter"] == ";" and files[0]["delimiterSniffed"] is True
    assert files[0]["encoding"] == "utf-8 (BOM)" and files[0]["file"] == str(f)


def test_the_same_sheet_saved_as_unicode_text_utf16(emu, tmp_path):
    # Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated, CRLF.
    text = EXCEL_EU.lstrip("\ufeff").replace(";", "\t").replace("\"Jean\t Luc\"", "Jean-Luc")
    f = tmp_path / "export.txt"
    f.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    p = run_cli(["upsert", "--format", "csv", "--json", str(f)], emu=emu)
    assert p.returncode == 0, p.stderr
    s = summary_json(p)
    assert s["accepted"] == 3
    assert s["files"][0]["encoding"] == "utf-16le (BOM)" and s["files"][0]["delimiter"] == "\t"
    got = by_email(emu)
    assert got["anna.mueller@example.de"]["lastName"] == "Müller"
    assert got["zoe@example.no"]["lastName"] == "Ødegård"


def test_utf16_without_a_byte_order_mark_is_refused_with_the_iconv_line(emu, tmp_path):
    (tmp_path / "in.csv").write_bytes("Email,First name\na@example.com,Ann\n".encode("utf-16-le"))
    p = run_cli(["upsert", "in.csv"], emu=emu, cwd=tmp_path)
    assert p.returncode == 2
    assert "looks like UTF-16 text without a byte order mark" in p.stderr
    assert "iconv -f UTF-16LE -t UTF-8 in.csv > in.utf8.csv" in p.stderr
    assert "--encoding utf-16le" in p.stderr
    assert p.stderr.count("in.csv") == 2  # the file once, and once in the iconv command
    assert emu.contacts() == []


def test_windows_1251_cyrillic_names_with_encoding(emu, tmp_path):
    text = ("Ім'я;Прізвище;Email;Телефон\r\n"
            "Олена;Коваль;olena@example.ua;+380 44 123 45 67\r\n"
            "Дмитро;Шевченко;dmytro@example.ua;\r\n")
    f = tmp_path / "contacts-1251.csv"
    f.write_bytes(text.encode("cp1251"))
    # Without --encoding the header is not UTF-8: refused, with the fix.
    p = run_cli(["upsert", str(f)], emu=emu)
    assert p.returncode == 2
    assert "the header row is not valid UTF-8" in p.stderr and "--encoding" in p.stderr
    assert "windows-1251" in p.stderr and "iconv -f WINDOWS-1252 -t UTF-8" in p.stderr
    assert p.stderr.count(str(f)) == 2  # named once (and in the iconv command)
    # With it, converted while streaming; the Ukrainian headers are recognised too.
    p = run_cli(["upsert", "--encoding", "windows-1251", str(f)], emu=emu)
    assert p.returncode == 0, p.stderr
    assert "windows-1251" in p.stderr and "Прізвище → lastName" in p.stderr
    got = by_email(emu)
    assert (got["olena@example.ua"]["firstName"], got["olena@example.ua"]["lastName"]) == ("Олена", "Коваль")
    assert got["dmytro@example.ua"]["lastName"] == "Шевченко"


def test_latin1_file(emu, tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("Email,First name,City\njurgen@example.de,Jürgen,Köln\n".encode("latin-1"))
    p = run_cli(["upsert", "--encoding", "latin-1", str(f)], emu=emu)
    assert p.returncode == 0, p.stderr
    c = by_email(emu)["jurgen@example.de"]
    assert c["firstName"] == "Jürgen" and c["address"]["town"] == "Köln"


def test_common_header_spellings_are_recognised(emu, tmp_path):
    f = tmp_path / "crm.csv"
    f.write_text("E-mail address,Mobile,given_name,Surname,ZIP,Country,Notes\n"
                 "crm@example.com,+1 (212) 555-0100,Ann,Lee,10001,US,vip\n")
    report = tmp_path / "r.json"
    p = run_cli(["upsert", str(f), "--report", str(report)], emu=emu)
    assert p.returncode == 0, p.stderr
    c = by_email(emu)["crm@example.com"]
    assert (c["firstName"], c["lastName"], c["address"]["postcode"]) == ("Ann", "Lee", "10001")
    assert [ch["value"] for ch in c["channels"] if ch["type"] == "sms"] == ["12125550100"]
    assert "not used: Country (Yespo contacts have no country field" in p.stderr
    cols = json.loads(report.read_text())["files"][0]["columns"]
    assert cols[5] == {"column": 6, "header": "Country", "field": None,
                       "note": "Yespo contacts have no country field; map it to a custom field id to keep it"}


def test_map_accepts_aliases_and_quiet_prints_no_mapping(emu, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("Mail,Nick,Tier\nm@example.com,Al,gold\n")
    p = run_cli(["upsert", "-q", str(f), "--map", "Nick=given name", "--map", "Tier=4321"], emu=emu)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    c = by_email(emu)["m@example.com"]
    assert c["firstName"] == "Al"
    p = run_cli(["upsert", str(f), "--map", "Nick=shoe size"], emu=emu)
    assert p.returncode == 2 and "is not a field" in p.stderr


def test_unknown_header_names_the_file_once_and_hints_the_delimiter(emu, tmp_path):
    f = tmp_path / "eu.csv"
    f.write_bytes(EXCEL_EU.encode("utf-8"))
    p = run_cli(["upsert", "--delimiter", ",", str(f)], emu=emu)
    assert p.returncode == 2
    err = p.stderr
    assert err.count(str(f)) == 1, err
    assert f"yespo: error: cannot read {f}: no column of the header is known" in err
    assert 'found one column: "First name;Last name;Email;Phone"' in err
    assert "the header contains ';'" in err and "--delimiter ';'" in err
    # Real unknown columns: what was found, and no delimiter hint.
    g = tmp_path / "odd.csv"
    g.write_text("Foo,Bar\n1,2\n")
    p = run_cli(["upsert", str(g)], emu=emu)
    assert p.returncode == 2 and 'found 2 columns: "Foo", "Bar"' in p.stderr and "--delimiter" not in p.stderr
    assert p.stderr.count(str(g)) == 1


def test_stdin_is_sniffed_too(emu, tmp_path):
    p = run_cli(["upsert", "--format", "csv", "--json", "-"], emu=emu,
                input="Email;First name\nstdin@example.com;Sti\n")
    assert p.returncode == 0, p.stderr
    assert summary_json(p)["files"][0]["file"] == "-"
    assert by_email(emu)["stdin@example.com"]["firstName"] == "Sti"
    assert "standard input: csv, delimiter ';' (sniffed)" in p.stderr


def test_rows_in_a_legacy_encoding_under_a_plain_header_are_invalid_rows(emu, tmp_path):
    f = tmp_path / "mixed.csv"
    f.write_bytes(b"Email,First name\nok@example.com,Ann\nbad@example.com," + "Олена".encode("cp1251") + b"\n")
    rej = tmp_path / "rej.ndjson"
    p = run_cli(["upsert", str(f), "--rejects", str(rej)], emu=emu)
    assert p.returncode == 1
    rows = read_ndjson(rej)
    assert [r["row"] for r in rows] == [2] and "invalid UTF-8" in rows[0]["reason"]
