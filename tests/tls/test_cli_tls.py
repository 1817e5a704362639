"""The CLI through nginx: --ca-file, CURL_CA_BUNDLE and SSL_CERT_FILE each verify the server; the
requests are HTTP/2; a wrong CA is a fatal error (exit 2) that says what to do; doctor says so too."""
import json

from conftest import KEY, clean_env, run_cli, stored, write_contacts


def test_upsert_with_ca_file_over_http2(emu, front, tmp_path):
    inp = write_contacts(tmp_path / "c.ndjson", 7000, "cafile")
    mark = front.mark()
    p = run_cli(["upsert", str(inp), "--base-url", front.api_url, "--ca-file", str(front.ca_file),
                 "--chunk-size", "1000", "--json"], clean_env())
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["accepted"] == 7000
    assert len(stored(emu, "cafile")) == 7000
    logged = front.requests_since(mark)
    bulk = [r for r in logged if r[1] == "POST" and r[2] == "/api/v1/contacts"]
    assert len(bulk) == 7
    assert {r[0] for r in logged} == {"HTTP/2.0"}, logged
    assert {r[4] for r in logged} <= {"TLSv1.3", "TLSv1.2"}
    assert len({r[5] for r in bulk}) == 1  # one connection, multiplexed


def test_ca_from_the_environment_as_curl_does(emu, front, tmp_path):
    for var in ("CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        inp = write_contacts(tmp_path / f"{var}.ndjson", 20, var.lower())
        p = run_cli(["upsert", str(inp), "--base-url", front.api_url, "--quiet"], clean_env(**{var: str(front.ca_file)}))
        assert p.returncode == 0, f"{var}: {p.stderr}"
        assert len(stored(emu, var.lower())) == 20
    # --ca-file wins over the environment, as curl's --cacert does.
    inp = write_contacts(tmp_path / "both.ndjson", 5, "both")
    p = run_cli(["upsert", str(inp), "--base-url", front.api_url, "--ca-file", str(front.ca_file), "--quiet"],
                clean_env(CURL_CA_BUNDLE=str(front.wrong_ca)))
    assert p.returncode == 0, p.stderr


def test_wrong_ca_is_fatal_with_the_fix(emu, front, tmp_path):
    inp = write_contacts(tmp_path / "w.ndjson", 5000, "wrong")
    report = tmp_path / "report.json"
    mark = front.mark()
    for args, env in (([ "--ca-file", str(front.wrong_ca)], clean_env()),
                      ([], clean_env(SSL_CERT_FILE=str(front.wrong_ca))),
                      ([], clean_env())):  # the system store does not know the test CA either
        p = run_cli(["upsert", str(inp), "--base-url", front.api_url, "--report", str(report), *args], env)
        assert p.returncode == 2, p.stdout + p.stderr
        assert "TLS: the server's certificate is not trusted" in p.stderr
        assert "--ca-file FILE" in p.stderr and "CURL_CA_BUNDLE" in p.stderr
        assert KEY not in p.stdout + p.stderr
        r = json.loads(report.read_text())
        # The job stops at the first failure: rows read so far are notSent, the rest never read.
        assert r["exitCode"] == 2 and r["accepted"] == 0 and r["notSent"] == r["rows"] > 0 and r["requests"] <= 8
    assert stored(emu, "wrong") == []
    assert front.requests_since(mark) == []  # no request was ever sent
    single = run_cli(["contact", "search", "--email", "x@example.com", "--base-url", front.api_url,
                      "--ca-file", str(front.wrong_ca)], clean_env())
    assert single.returncode == 2 and "not trusted" in single.stderr


def test_doctor_through_the_tls_front(emu, front):
    ok = run_cli(["doctor", "--json", "--base-url", front.api_url, "--ca-file", str(front.ca_file)], clean_env())
    assert ok.returncode == 0, ok.stdout + ok.stderr
    c = {x["check"]: x for x in json.loads(ok.stdout)["checks"]}
    assert c["TLS"]["status"] == "ok" and str(front.ca_file) in c["TLS"]["detail"]
    assert c["API key"]["status"] == "ok" and c["clock"]["status"] == "ok"
    env_ok = run_cli(["doctor", "--base-url", front.api_url], clean_env(CURL_CA_BUNDLE=str(front.ca_file)))
    assert env_ok.returncode == 0 and "(from CURL_CA_BUNDLE)" in env_ok.stdout
    bad = run_cli(["doctor", "--base-url", front.api_url, "--ca-file", str(front.wrong_ca)], clean_env())
    assert bad.returncode == 1
    assert "FAIL  TLS" in bad.stdout and "fix: give the CA certificate" in bad.stdout
    assert "ok    base URL" in bad.stdout and "skip  API key" in bad.stdout
    assert KEY not in bad.stdout + bad.stderr
