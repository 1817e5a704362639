"""Load check for yespo-emulator: N concurrent bulk requests of M contacts each, every answer
checked, then every import applied and counted. Prints time and the server's peak RSS.
Usage: python3 load.py EMULATOR_BINARY [requests=200] [contacts=3000]"""
import base64, http.client, json, os, subprocess, sys, threading, time

binary = sys.argv[1]
n_requests = int(sys.argv[2]) if len(sys.argv) > 2 else 200
n_contacts = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
proc = subprocess.Popen([binary, "--port", "0", "--quiet", "--rate-limit-bulk", "0", "--import-delay-ms", "10"],
                        stdout=subprocess.PIPE, text=True)
try:
    line = proc.stdout.readline().strip()
    assert line.startswith("listening http://127.0.0.1:"), line
    port = int(line.rsplit(":", 1)[1])
    auth = "Basic " + base64.b64encode(b"load:test-key").decode()

    def body(r):
        contacts = [{"channels": [{"type": "email", "value": f"user{r}-{i}@example.com"},
                                  {"type": "sms", "value": f"380{r:04d}{i:05d}"}],
                     "firstName": "Load", "lastName": f"Test{i}", "externalCustomerId": f"ext-{r}-{i}",
                     "fields": [{"id": 1, "value": str(i)}]} for i in range(n_contacts)]
        return json.dumps({"contacts": contacts, "dedupeOn": "email", "groupNames": ["Load"]}).encode()

    bodies = [body(r) for r in range(n_requests)]
    results = [None] * n_requests
    start_gate = threading.Event()

    def send(r):
        start_gate.wait()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        c.request("POST", "/api/v1/contacts", bodies[r], {"Authorization": auth, "Content-Type": "application/json"})
        resp = c.getresponse()
        results[r] = (resp.status, json.loads(resp.read()))
        c.close()

    threads = [threading.Thread(target=send, args=(r,)) for r in range(n_requests)]
    for t in threads: t.start()
    t0 = time.monotonic()
    start_gate.set()
    for t in threads: t.join()
    answered = time.monotonic() - t0
    bad = [r for r in results if r is None or r[0] != 200 or "asyncSessionId" not in r[1] or "failedContacts" in r[1]]
    assert not bad, f"{len(bad)} bad answers, first: {bad[0]}"

    def admin(method, path):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        c.request(method, path)
        data = c.getresponse().read()
        c.close()
        return data

    admin("POST", "/_emulator/imports/flush")
    applied = time.monotonic() - t0
    summary = json.loads(admin("GET", "/_emulator/summary"))
    assert summary["contacts"] == n_requests * n_contacts, summary
    assert summary["imports"]["finished"] == n_requests, summary
    t1 = time.monotonic()
    dump = admin("GET", "/_emulator/contacts")
    lines = dump.count(b"\n")
    assert lines == n_requests * n_contacts, lines
    dumped = time.monotonic() - t1
    stats = json.loads(admin("GET", "/_emulator/stats"))
    with open(f"/proc/{proc.pid}/status") as f:
        rss = next(l for l in f if l.startswith("VmHWM")).split()[1]
    print(f"{n_requests} concurrent bulk requests x {n_contacts} contacts: all answered 200 in {answered:.1f} s, "
          f"all imported after {applied:.1f} s; NDJSON dump of {lines} contacts ({len(dump) >> 20} MiB) in {dumped:.1f} s; "
          f"maxInFlightBulk {stats['maxInFlightBulk']}; peak RSS {int(rss) // 1024} MiB")
finally:
    proc.terminate()
    proc.wait(timeout=10)
