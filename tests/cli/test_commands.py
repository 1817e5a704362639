"""The other commands, each against the emulator: status, contact get/search/add/delete, subscribe,
segment list/attach/detach/contacts, emulator, version."""
import json
import shutil
import subprocess

from conftest import CLI, EMULATOR, cli_env, gen, run_cli, summary_json


def load(emu, tmp_path, rows=5, *extra):
    path, _ = gen(tmp_path, "c.csv", rows, extra=("--external-ids",))
    p = run_cli(["upsert", "--json", "--wait", "--poll-interval", "0.05", "--report", str(tmp_path / "r.json"),
                 str(path), *extra], emu=emu)
    assert p.returncode == 0, p.stderr
    return summary_json(p)


def contact_id(emu, email):
    for c in emu.contacts():
        if any(ch["value"] == email for ch in c.get("channels", [])):
            return c["id"]
    raise AssertionError(email + " not stored")


def test_version():
    p = run_cli(["version"], key=None)
    assert p.returncode == 0 and p.stdout.startswith("yespo 0.")
    assert json.loads(run_cli(["version", "--json"], key=None).stdout)["cli"]
    assert run_cli(["--version"], key=None).stdout.strip() == p.stdout.strip()


def test_status_of_a_session(emu, tmp_path):
    emu.config(importDelayMs=300)
    path, _ = gen(tmp_path, "c.csv", 10)
    p = run_cli(["upsert", "--json", str(path)], emu=emu)
    assert p.returncode == 0, p.stderr
    session = summary_json(p)["chunks"][0]["asyncSessionId"]
    first = run_cli(["status", "--json", session], emu=emu)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["status"] in ("IMPORTING", "STARTED", "FINISHED")
    done = run_cli(["status", "--wait", "--poll-interval", "0.05", session], emu=emu)
    assert done.returncode == 0, done.stderr
    assert "FINISHED" in done.stdout and "mapped" in done.stdout
    missing = run_cli(["status", "00000000-0000-0000-0000-000000000000"], emu=emu)
    assert missing.returncode == 1 and "00000000" in missing.stderr


def test_contact_get_search_add_delete(emu, tmp_path):
    load(emu, tmp_path)
    email = emu.emails()[0]
    cid = contact_id(emu, email)
    got = run_cli(["contact", "get", str(cid), "--json"], emu=emu)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["id"] == cid
    pretty = run_cli(["contact", "get", str(cid)], emu=emu)
    assert "\n  " in pretty.stdout and email in pretty.stdout

    found = run_cli(["contact", "search", "--email", email], emu=emu)
    assert found.returncode == 0 and email in found.stdout and str(cid) in found.stdout
    as_json = json.loads(run_cli(["contact", "search", "--email", email, "--json"], emu=emu).stdout)
    assert as_json["totalCount"] >= 1
    none = run_cli(["contact", "search", "--email", "nobody@nowhere.example"], emu=emu)
    assert none.returncode == 1 and "0 contacts" in none.stdout

    added = run_cli(["contact", "add", "--email", "new@example.com", "--first-name", "New", "--json"], emu=emu)
    assert added.returncode == 0, added.stderr
    new_id = json.loads(added.stdout)["id"]
    assert emu.admin("GET", f"/contacts/{new_id}")["source"] == "api"

    assert run_cli(["contact", "delete", str(new_id)], emu=emu).returncode == 0
    assert run_cli(["contact", "get", str(new_id)], emu=emu).returncode == 1
    gone = run_cli(["contact", "delete", str(new_id)], emu=emu)
    assert gone.returncode == 1 and str(new_id) in gone.stderr

    ext = next(c for c in emu.contacts() if c.get("externalCustomerId"))["externalCustomerId"]
    p = run_cli(["contact", "delete", "--external-id", ext, "--erase"], emu=emu)
    assert p.returncode == 0, p.stderr
    assert emu.summary()["contacts"] == 4


def test_subscribe_creates_an_unconfirmed_contact(emu):
    p = run_cli(["subscribe", "--email", "sub@example.com", "--first-name", "Sub", "--group", "Newsletter",
                 "--form-type", "footer", "--json"], emu=emu)
    assert p.returncode == 0, p.stderr
    cid = json.loads(p.stdout)["id"]
    stored = emu.admin("GET", f"/contacts/{cid}")
    assert stored["source"] == "subscriptionForm" and stored["confirmed"] is False
    assert any(e["type"].startswith("subscribeFromApi") for e in emu.admin("GET", "/events"))
    bad = run_cli(["subscribe", "--contact", "not json"], emu=emu)
    assert bad.returncode == 2


def test_segments(emu, tmp_path):
    load(emu, tmp_path, 5, "--group", "Buyers")
    listing = run_cli(["segment", "list"], emu=emu)
    assert listing.returncode == 0 and "Buyers" in listing.stdout
    groups = json.loads(run_cli(["segment", "list", "--json"], emu=emu).stdout)
    gid = next(g["id"] for g in groups if g["name"] == "Buyers")
    size = lambda: next(g["size"] for g in emu.admin("GET", "/groups") if g["id"] == gid)
    ids = [c["id"] for c in emu.contacts()]
    assert size() == 5
    p = run_cli(["segment", "detach", str(gid), "--contact-id", f"{ids[0]},{ids[1]}"], emu=emu)
    assert p.returncode == 0, p.stderr
    assert size() == 3
    members = run_cli(["segment", "contacts", str(gid), "--json"], emu=emu)
    assert json.loads(members.stdout)["totalCount"] == 3
    assert run_cli(["segment", "attach", str(gid), "--contact-id", str(ids[0])], emu=emu).returncode == 0
    assert size() == 4
    ext = [c["externalCustomerId"] for c in emu.contacts() if c["id"] == ids[1]][0]
    assert run_cli(["segment", "attach", str(gid), "--external-id", ext], emu=emu).returncode == 0
    assert size() == 5
    assert run_cli(["segment", "detach", str(gid), "--all"], emu=emu).returncode == 0
    assert size() == 0
    assert run_cli(["segment", "attach", str(gid)], emu=emu).returncode == 2


def first_line_of(cmd, env):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        return proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_emulator_command_finds_and_runs_the_emulator(tmp_path):
    # from YESPO_EMULATOR
    line = first_line_of([CLI, "emulator", "--port", "0", "--quiet"], cli_env(extra={"YESPO_EMULATOR": EMULATOR}))
    assert line.startswith("listening http://127.0.0.1:"), line
    # a copy of the CLI alone: a clear error
    lone = tmp_path / "yespo"
    shutil.copy(CLI, lone)
    p = subprocess.run([str(lone), "emulator"], capture_output=True, text=True, cwd=tmp_path, timeout=30,
                       env=cli_env(key=None))
    assert p.returncode == 2 and "make emulator" in p.stderr
    # ... and next to it, the emulator binary is found without any variable
    shutil.copy(EMULATOR, tmp_path / "yespo-emulator")
    line = first_line_of([str(lone), "emulator", "--port", "0", "--quiet"], cli_env(key=None))
    assert line.startswith("listening http://127.0.0.1:"), line
