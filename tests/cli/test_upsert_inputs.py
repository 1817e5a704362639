"""`yespo upsert` with each input format, stdin, several files, --map and the bulk option flags:
every row ends in exactly one outcome and the emulator holds exactly the valid contacts."""
import json

from conftest import gen, read_ndjson, run_cli, summary_json


def upsert(emu, tmp_path, *args, input=None):
    return run_cli(["upsert", "--json", "--wait", "--poll-interval", "0.05",
                    "--outcomes", str(tmp_path / "outcomes.ndjson"), *args], emu=emu, input=input)


def assert_every_row_once(tmp_path, rows):
    outcomes = read_ndjson(tmp_path / "outcomes.ndjson")
    assert sorted(o["row"] for o in outcomes) == list(range(1, rows + 1))
    return outcomes


def test_csv_file(emu, tmp_path):
    path, m = gen(tmp_path, "c.csv", 500, bad_every=50)
    p = upsert(emu, tmp_path, str(path), "--rejects", str(tmp_path / "rej.ndjson"))
    assert p.returncode == 1, p.stderr
    s = summary_json(p)
    assert (s["rows"], s["accepted"], s["invalid"]) == (500, m["valid"], m["invalid"])
    rejects = read_ndjson(tmp_path / "rej.ndjson")
    assert sorted(r["row"] for r in rejects) == m["badRows"]
    assert all(r["outcome"] == "invalid" and r["reason"] for r in rejects)
    assert emu.summary()["contacts"] == m["valid"]
    outcomes = assert_every_row_once(tmp_path, 500)
    # --wait maps every accepted row to its contact id
    assert all(isinstance(o["contactId"], int) for o in outcomes if o["outcome"] == "accepted")
    assert s["contactIds"] == m["valid"]


def test_ndjson_file(emu, tmp_path):
    path, m = gen(tmp_path, "c.ndjson", 300, fmt="ndjson", bad_every=100)
    p = upsert(emu, tmp_path, str(path))
    assert p.returncode == 1, p.stderr
    s = summary_json(p)
    assert (s["rows"], s["accepted"], s["invalid"]) == (300, 297, 3)
    assert emu.summary()["contacts"] == 297
    assert_every_row_once(tmp_path, 300)


def test_json_array_file(emu, tmp_path):
    src, _ = gen(tmp_path, "c.ndjson", 40, fmt="ndjson")
    arr = tmp_path / "c.json"
    arr.write_text(json.dumps([json.loads(l) for l in src.read_text().splitlines()], indent=2))
    p = upsert(emu, tmp_path, str(arr))
    assert p.returncode == 0, p.stderr
    assert summary_json(p)["accepted"] == 40
    assert emu.summary()["contacts"] == 40


def test_stdin_csv_and_ndjson(emu, tmp_path):
    src, _ = gen(tmp_path, "c.csv", 120)
    p = upsert(emu, tmp_path, "--format", "csv", "-", input=src.read_text())
    assert p.returncode == 0, p.stderr
    assert summary_json(p)["accepted"] == 120
    nd, _ = gen(tmp_path, "d.ndjson", 30, fmt="ndjson", seed=2)
    p = upsert(emu, tmp_path, "-", input=nd.read_text())   # sniffed: starts with '{'
    assert p.returncode == 0, p.stderr
    assert emu.summary()["contacts"] == 150


def test_several_files_number_rows_across_files(emu, tmp_path):
    a, _ = gen(tmp_path, "a.csv", 100, seed=1)
    b, _ = gen(tmp_path, "b.ndjson", 50, fmt="ndjson", seed=2, bad_every=25)
    p = upsert(emu, tmp_path, str(a), str(b), "--rejects", str(tmp_path / "rej.ndjson"))
    assert p.returncode == 1
    assert summary_json(p)["rows"] == 150
    assert sorted(r["row"] for r in read_ndjson(tmp_path / "rej.ndjson")) == [125, 150]
    assert_every_row_once(tmp_path, 150)
    assert emu.summary()["contacts"] == 148


def test_map_columns(emu, tmp_path):
    f = tmp_path / "crm.csv"
    f.write_text("E-mail address,Given name,Tier\nann@example.com,Ann,gold\nbob@example.com,Bob,silver\n")
    p = upsert(emu, tmp_path, str(f), "--map", "E-mail address=email", "--map", "Given name=firstName",
               "--map", "Tier=777")
    assert p.returncode == 0, p.stderr + p.stdout
    got = {c["channels"][0]["value"]: c for c in emu.contacts()}
    assert got["ann@example.com"]["firstName"] == "Ann"
    assert any(str(f_["id"]) == "777" and f_["value"] == "gold" for f_ in got["ann@example.com"].get("fields", []))


def test_bad_map_is_a_usage_error(emu, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("Email\na@b.co\n")
    p = run_cli(["upsert", "--map", "Email=nonsense", str(f)], emu=emu)
    assert p.returncode == 2
    assert "nonsense" in p.stderr and "--map" in p.stderr


def test_bulk_option_flags_reach_the_server(emu, tmp_path):
    path, _ = gen(tmp_path, "c.csv", 20)
    p = upsert(emu, tmp_path, str(path), "--group", "Customers", "--group", "VIP",
               "--event-key", "newContact", "--chunk-size", "7", "--concurrency", "2")
    assert p.returncode == 0, p.stderr
    groups = {g["name"]: g for g in emu.admin("GET", "/groups")}
    assert groups["Customers"]["size"] == 20 and groups["VIP"]["size"] == 20
    events = emu.admin("GET", "/events")
    assert len([e for e in events if e["type"] == "newContact"]) == 20
    imports = emu.admin("GET", "/imports")
    assert sorted(i["contacts"] for i in imports) == [6, 7, 7]   # --chunk-size 7


def test_dedupe_on_sms_and_exclude_group(emu, tmp_path):
    f = tmp_path / "p.ndjson"
    f.write_text('{"channels":[{"type":"sms","value":"+380 (67) 123-45-67"}],"firstName":"A"}\n'
                 '{"channels":[{"type":"sms","value":"380671234568"}],"firstName":"B"}\n')
    p = upsert(emu, tmp_path, str(f), "--dedupe-on", "sms", "--exclude-group", "Old")
    assert p.returncode == 0, p.stderr
    imports = emu.admin("GET", "/imports")
    assert all(i["dedupeOn"] == "sms" for i in imports)
    assert emu.summary()["contacts"] == 2
