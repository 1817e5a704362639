"""`yespo orders upsert` and `yespo event upsert`: the upsert command's run with another kind —
a CSV of item lines, rejects naming CSV lines, journal + resume, dry run, contact flags refused."""
import json

from conftest import read_ndjson, run_cli, summary_json

HEADER = "externalOrderId,externalCustomerId,status,date,currency,totalCost,email,item.externalItemId,item.name,item.quantity,item.cost\n"


def orders_csv(tmp_path, n, bad=()):
    lines = [HEADER]
    for i in range(n):
        status = "LOST" if i in bad else "DELIVERED"
        for k in range(2):
            lines.append(f"cli-{i},c{i},{status},2025-01-01,UAH,20,cli{i}@example.com,i{k},Item {k},1,10\n")
    path = tmp_path / "orders.csv"
    path.write_text("".join(lines))
    return path


def test_orders_upsert_csv_with_rejects(emu, tmp_path):
    path = orders_csv(tmp_path, 1500, bad=(7,))
    rejects = tmp_path / "rejects.ndjson"
    p = run_cli(["orders", "upsert", "--json", "--rejects", str(rejects), str(path)], emu=emu)
    assert p.returncode == 1, p.stderr
    s = summary_json(p)
    assert (s["rows"], s["accepted"], s["invalid"]) == (1500, 1499, 1)
    bad = read_ndjson(rejects)
    assert bad[0]["row"] == 8 and "CSV lines 16-17" in bad[0]["reason"]
    assert len(emu.admin("GET", "/orders")) == 1499
    assert emu.stats()["byRoute"].get("POST /api/v1/orders") == 2


def test_orders_journal_resume_and_dry_run(emu, tmp_path):
    path = orders_csv(tmp_path, 300)
    journal = tmp_path / "j"
    p = run_cli(["orders", "upsert", "--json", "--journal", str(journal), str(path)], emu=emu)
    assert p.returncode == 0, p.stderr
    again = run_cli(["orders", "upsert", "--json", "--journal", str(journal), "--resume", str(path)], emu=emu)
    assert again.returncode == 0, again.stderr
    assert summary_json(again)["accepted"] == 300
    assert emu.stats()["byRoute"].get("POST /api/v1/orders") == 1  # the resume sent nothing again
    dry = run_cli(["orders", "upsert", "--json", "--dry-run", str(path)], emu=emu, key=None)
    assert dry.returncode == 0, dry.stderr
    assert summary_json(dry)["dryRun"] is True


def test_contact_flags_are_not_flags_of_orders(emu, tmp_path):
    path = orders_csv(tmp_path, 2)
    for flag in (["--group", "VIP"], ["--dedupe-on", "sms"], ["--wait"], ["--map", "A=email"]):
        p = run_cli(["orders", "upsert", *flag, str(path)], emu=emu)
        assert p.returncode == 2, flag
        assert f"Unknown option '{flag[0]}'" in p.stderr
    # Nor does the help offer them; the flags every run shares are there.
    h = run_cli(["orders", "upsert", "--help"], emu=emu).stdout
    assert "--dedupe-on" not in h and "--wait" not in h and "--group" not in h
    assert "--concurrency" in h and "--journal" in h and "--delimiter" in h
    p = run_cli(["orders", "upsert", "--chunk-size", "1001", str(path)], emu=emu)
    assert p.returncode == 2 and "--chunk-size must be 1 to 1000" in p.stderr


def test_event_upsert_csv(emu, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("eventTypeKey,keyValue,sum\n" + "".join(f"cliViewed,k{i},{i}\n" for i in range(30)) + "cliViewed,,5\n")
    p = run_cli(["event", "upsert", "--json", str(path)], emu=emu)
    assert p.returncode == 1, p.stderr
    s = summary_json(p)
    assert (s["accepted"], s["invalid"]) == (30, 1)
    keys = {e["key"] for e in emu.admin("GET", "/events?type=cliViewed")}
    assert keys == {f"k{i}" for i in range(30)}
