#!/usr/bin/python3
"""test_serve_http: the security points of `carecap serve` over HTTP, and the
API's numbers against `carecap compare`'s CSV for the same seed.

Each check can fail: docs/workbench.md says how each was shown to fail
against a server with that protection taken out."""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serveutil import CARECAP, Checks, Server  # noqa: E402

c = Checks()
MARK = "SECRET-MARKER-4f1d"


def request(srv, method, path, body=None, headers=None, token=None, host=None, timeout=60):
    """(status, headers, body bytes) of one request, the path sent as given;
    status 0 when the server did not answer in time."""
    try:
        return request1(srv, method, path, body, headers, token, host, timeout)
    except (socket.timeout, ConnectionError):
        return 0, {}, b""


def request1(srv, method, path, body, headers, token, host, timeout):
    conn = http.client.HTTPConnection(host or srv.host, srv.port, timeout=timeout)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        h.setdefault("Content-Type", "application/json")
    conn.putrequest(method, path, skip_host="Host" in h, skip_accept_encoding=True)
    for k, v in h.items():
        conn.putheader(k, v)
    if body is not None:
        data = body.encode() if isinstance(body, str) else body
        if "Content-Length" not in h:
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
    else:
        conn.endheaders()
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), data


def errors(data):
    try:
        return json.loads(data)["errors"]
    except Exception:
        return None


def run(srv, body, token=None):
    """Start a run and read its progress to the end: (status, id, last line)."""
    return run_at(srv, "/api/runs", body, token)


def run_at(srv, path, body, token=None):
    st, h, data = request(srv, "POST", path, body, token=token)
    if st != 200:
        return st, None, data
    lines = [json.loads(x) for x in data.decode().splitlines() if x]
    return st, h.get("X-Carecap-Run"), lines[-1] if lines else None


def status(srv, rid, token=None):
    st, _, data = request(srv, "GET", "/api/runs/" + rid, token=token)
    return json.loads(data) if st == 200 else None


def own_addresses():
    """This machine's addresses other than loopback (for the listen test)."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    except OSError:
        out = []
    return [a for a in out if ":" not in a and not a.startswith("127.")]


SMALL = {"config": "nottinghamshire", "reps": 20, "years": 2, "seed": 5}

# ---- 1. 127.0.0.1 by default, no token there; the Host header is checked
srv = Server()
try:
    c.ok(srv.host == "127.0.0.1", f"listens on 127.0.0.1 by default ({srv.url})")
    c.ok("token=" not in srv.url, "no token on loopback unless given")
    for addr in own_addresses()[:1]:
        s = socket.socket()
        s.settimeout(2)
        refused = s.connect_ex((addr, srv.port)) != 0
        s.close()
        c.ok(refused, f"not reachable on {addr}")
    st, _, _ = request(srv, "GET", "/api/info")
    c.ok(st == 200, f"the API answers on loopback ({st})")
    st, _, _ = request(srv, "GET", "/api/info", headers={"Host": "attacker.example:%d" % srv.port})
    c.ok(st == 403, f"another Host header gets 403 (DNS rebinding) ({st})")

    # ---- 2. paths: .., absolute, encoded slashes, symlinks
    outside = os.path.join(srv.dir, "outside")
    os.makedirs(outside)
    with open(os.path.join(srv.dir, "config", "nottinghamshire.cfg")) as f:
        cfg = f.read()
    # a valid config outside config/ (its includes beside it), with a marker
    shutil.copytree(os.path.join(srv.dir, "config", "nottinghamshire-fit"), os.path.join(outside, "nottinghamshire-fit"))
    with open(os.path.join(outside, "secret.cfg"), "w") as f:
        f.write("# " + MARK + "\n" + cfg.replace('name = "Nottinghamshire County Council"', 'name = "%s"' % MARK))
    with open(os.path.join(outside, "secret.txt"), "w") as f:
        f.write(MARK + "\n")
    os.symlink(os.path.join(outside, "secret.cfg"), os.path.join(srv.dir, "config", "linked.cfg"))
    with open(os.path.join(srv.dir, "scenarios", "foster-recruitment.cfg")) as f:
        sc = f.read()
    with open(os.path.join(outside, "scen.cfg"), "w") as f:
        f.write(sc.replace('"foster-recruitment"', '"%s"' % MARK).replace(
            "../config/nottinghamshire.cfg", os.path.join(srv.dir, "config", "nottinghamshire.cfg")))
    os.symlink(os.path.join(outside, "scen.cfg"), os.path.join(srv.dir, "scenarios", "linked.cfg"))
    st, _, data = request(srv, "GET", "/api/baselines")
    lst = json.loads(data)
    names = [b["name"] for b in lst["baselines"]]
    c.ok("linked" not in names and "nottinghamshire" in names,
         f"a linked config is not listed ({[b['name'] for b in lst['baselines']]})")
    c.ok("linked" not in [s["file"] for s in lst["scenarios"]], "a linked scenario is not listed")
    c.ok(MARK.encode() not in data, "nothing of the linked files is shown")
    for cfgname in ["linked", "../outside/secret", "/etc/passwd", "..", "../config/nottinghamshire",
                    "nottinghamshire/../nottinghamshire", "%2e%2e%2fconfig%2fnottinghamshire", "outside/secret"]:
        st, _, data = request(srv, "POST", "/api/runs", dict(SMALL, config=cfgname))
        c.ok(st == 400 and MARK.encode() not in data, f"config {cfgname!r} is refused ({st})")
    for scen in ["linked", "../outside/scen", "/etc/passwd", "../scenarios/foster-recruitment"]:
        st, _, data = request(srv, "POST", "/api/runs", dict(SMALL, scenarios=[{"file": scen}]))
        c.ok(st == 400 and MARK.encode() not in data, f"scenario file {scen!r} is refused ({st})")

    st, rid, last = run(srv, dict(SMALL, scenarios=[{"name": "paths", "levers": []}]))
    c.ok(st == 200 and last and last["state"] == "done", f"a small run finishes ({st}, {last})")
    rdir = os.path.join(srv.dir, "output", "serve", rid)
    st, _, _ = request(srv, "GET", f"/api/runs/{rid}/files/monthly.csv")
    c.ok(st == 200, "a run's own file is served")
    for path in ["/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd",
                 f"/api/runs/{rid}/files/../../../outside/secret.txt",
                 f"/api/runs/{rid}/files/..%2f..%2f..%2foutside%2fsecret.txt",
                 f"/api/runs/{rid}/files/%2e%2e%2fsecret.txt",
                 f"/api/runs/{rid}/files/{outside}/secret.txt",
                 f"/api/runs/{rid}/files/%2F{outside[1:]}%2Fsecret.txt",
                 f"/api/runs/{rid}/files/charts%2F..%2F..%2F..%2Foutside%2Fsecret.txt",
                 f"/api/runs/{rid}/files/config.cfg", f"/api/runs/{rid}/files/.",
                 f"/api/runs/{rid}/../../outside/secret.txt", "/web/../serve.out", "/index.html/../serve.out",
                 "/api/runs/../../outside/secret.txt", "//etc/passwd", "/etc/passwd",
                 f"/api/runs/{'0' * 32}/files/monthly.csv"]:
        st, _, data = request(srv, "GET", path)
        c.ok(st == 404 and MARK.encode() not in data and b"root:" not in data, f"GET {path} is refused ({st})")
    # a run's file replaced by a link to a file outside is not followed
    os.unlink(os.path.join(rdir, "annual.csv"))
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(rdir, "annual.csv"))
    st, _, data = request(srv, "GET", f"/api/runs/{rid}/files/annual.csv")
    c.ok(st == 404 and MARK.encode() not in data, f"a linked run file is not followed ({st})")

    # ---- 3. size limits
    big = json.dumps(dict(SMALL, author="x" * 100000))
    st, _, data = request(srv, "POST", "/api/runs", big, headers={"Content-Type": "application/json"})
    c.ok(st == 413, f"a 100 kB request body gets 413 ({st})")
    st, _, data = request(srv, "POST", "/api/calibrate", b"", headers={
        "Content-Type": "multipart/form-data; boundary=x", "X-Carecap-Upload": "1",
        "Content-Length": str(300 * 1024 * 1024)}, timeout=5)
    c.ok(st == 413, f"an upload announced as 300 MB gets 413 ({st})")

    # ---- 4. bad JSON and out-of-range levers: 400 with check's messages
    for body in ["{", "[]", '{"config": 1}', '{"config": "nottinghamshire", "reps": 0}',
                 '{"config": "nottinghamshire", "reps": 1e9}', '{"config": "nottinghamshire", "bogus": 1}',
                 '{"config": "nottinghamshire", "seed": -1}', '{"config":"nottinghamshire","config":"x"}',
                 '{"config": "nottinghamshire", "scenarios": [{"name": "a", "levers": [{"lever": "x", "y": null}]}]}',
                 '\u0000\u0001']:
        st, _, data = request(srv, "POST", "/api/runs", body, headers={"Content-Type": "application/json"})
        e = errors(data)
        c.ok(st == 400 and e and all(m.startswith(("request:", "bad.cfg")) or ".cfg:" in m for m in e),
             f"bad JSON {body!r} gets 400 with messages ({st}, {e})")
    st, _, data = request(srv, "POST", "/api/runs", "{}", headers={"Content-Type": "text/plain"})
    c.ok(st == 415, f"a body that is not JSON by its type gets 415 ({st})")
    st, _, data = request(srv, "PUT", "/api/runs", "{}", headers={"Content-Type": "application/json"})
    c.ok(st == 405, f"PUT gets 405 ({st})")
    levers = [{"lever": "foster_recruitment", "extra_per_year": 10, "from": "2023-04-01"},
              {"lever": "foster_retention", "resignation_multiplier": 0.85, "from": "2023-04-01"}]
    good = dict(SMALL, scenarios=[{"name": "range-test", "levers": levers}])
    st, h, saved = request(srv, "POST", "/api/scenario-file", good)
    c.ok(st == 200 and b"extra_per_year = 10;" in saved, f"a valid scenario is saved ({st})")
    bad_levers = [dict(levers[0], extra_per_year=-10), dict(levers[1], resignation_multiplier=11.5, sgo=1)]
    st, _, data = request(srv, "POST", "/api/runs", dict(SMALL, scenarios=[{"name": "range-test",
                                                                            "levers": bad_levers}]))
    api_msgs = errors(data) or []
    text = saved.decode().replace("extra_per_year = 10;", "extra_per_year = -10;").replace(
        "resignation_multiplier = 0.84999999999999998;", "resignation_multiplier = 11.5; sgo = 1;")
    with open(os.path.join(srv.dir, "scenarios", "range-test.cfg"), "w") as f:
        f.write(text)
    r = subprocess.run([CARECAP, "check", "range-test.cfg"], cwd=os.path.join(srv.dir, "scenarios"),
                       capture_output=True, text=True)
    check_msgs = [x for x in r.stderr.splitlines() if not x.startswith("carecap:")]
    c.ok(st == 400 and r.returncode == 3 and len(api_msgs) == 3 and api_msgs == check_msgs,
         f"out-of-range levers get check's messages: API {api_msgs} check {check_msgs}")

    # a region file (region.h) is listed as a region with its councils and markets
    if os.path.exists(os.path.join(srv.dir, "config", "d2n2.cfg")):
        lst = json.loads(request(srv, "GET", "/api/baselines")[2])
        reg = [b for b in lst["baselines"] if b["name"] == "d2n2"]
        c.ok(reg and reg[0].get("kind") == "region" and len(reg[0]["councils"]) == 4 and reg[0]["markets"],
             f"a region file is listed as a region with its councils ({reg})")
        c.ok(any(x["file"] == "d2n2/joint-block" and x["baseline"] == "d2n2" for x in lst["scenarios"]),
             "the region's scenarios (scenarios/d2n2/) are listed for it")

    # the levers' costs and ramp-up (the business case's fields): check's messages too
    costed = [dict(levers[0], one_off_cost=50000, revenue_cost=150000, ramp_up_months=12),
              dict(levers[1], capital_cost=20000)]
    st, h, saved = request(srv, "POST", "/api/scenario-file", dict(SMALL, scenarios=[{"name": "cost-test",
                                                                                      "levers": costed}]))
    c.ok(st == 200 and b"revenue_cost = 150000;" in saved and b"ramp_up_months = 12;" in saved
         and b"capital_cost = 20000;" in saved, f"a scenario with lever costs is saved with them ({st})")
    bad_costs = [dict(costed[0], revenue_cost=-1, ramp_up_months=1000), dict(costed[1], capital_cost=-20000)]
    st, _, data = request(srv, "POST", "/api/runs", dict(SMALL, scenarios=[{"name": "cost-test",
                                                                            "levers": bad_costs}]))
    api_msgs = errors(data) or []
    text = saved.decode().replace("revenue_cost = 150000;", "revenue_cost = -1;").replace(
        "ramp_up_months = 12;", "ramp_up_months = 1000;").replace("capital_cost = 20000;", "capital_cost = -20000;")
    with open(os.path.join(srv.dir, "scenarios", "cost-test.cfg"), "w") as f:
        f.write(text)
    r = subprocess.run([CARECAP, "check", "cost-test.cfg"], cwd=os.path.join(srv.dir, "scenarios"),
                       capture_output=True, text=True)
    check_msgs = [x for x in r.stderr.splitlines() if not x.startswith("carecap:")]
    c.ok(st == 400 and r.returncode == 3 and len(api_msgs) == 3 and api_msgs == check_msgs,
         f"out-of-range lever costs get check's messages: API {api_msgs} check {check_msgs}")

    # ---- 5. names are data: JSON escaped, never run by a shell
    marker = os.path.join(srv.dir, "SHELL-RAN")
    hostile = 'x $(touch %s) `touch %s`; touch %s' % (marker, marker, marker)
    desc = 'a "quote" \\ back </script><script>alert(1)</script> \u2028 line\nbreak \u00e9 $(touch %s)' % marker
    st, rid2, last = run(srv, dict(SMALL, scenarios=[{"name": hostile, "description": desc, "levers": []}]))
    st2, _, data = request(srv, "GET", f"/api/runs/{rid2}/results") if rid2 else (0, None, b"")
    try:
        res = json.loads(data)
        names = [s["name"] for s in res["scenarios"]]
        c.ok(hostile in names and res["scenarios"][1]["description"] == desc,
             "names and descriptions round-trip through the JSON")
    except ValueError as e:
        c.ok(False, f"the results are valid JSON ({e})")
    c.ok(b"</script>" not in data and b"<" not in data, "< is escaped in JSON")
    c.ok(not os.path.exists(marker), "no shell ran the names")
finally:
    rc = srv.stop()
    c.ok(rc == 0, f"the server stops cleanly (exit {rc}): {srv.errors[-2000:]}")
    srv.cleanup()

# ---- 5b. a region as the baseline: paths, check's messages, the numbers of compare
srv = Server("-j", "2")
try:
    outside = os.path.join(srv.dir, "outside")
    os.makedirs(outside)
    with open(os.path.join(outside, "secret.txt"), "w") as f:
        f.write(MARK + "\n")
    RB = {"config": "d2n2", "reps": 12, "years": 2, "seed": 7}
    rlev = [{"lever": "council_scenario", "council": "nottingham", "scenario": "nottingham/four-bed-home"},
            {"lever": "joint_block", "market": "homes_d2n2", "places": 20, "from": "2023-04-01"},
            {"lever": "recruitment_campaign", "market": "ifa_d2n2", "extra_places": 30, "from": "2023-04-01"}]
    # council scenarios and region scenario files by name only
    for name in ["../outside/scen", "/etc/passwd", "nottingham/../../outside/scen", "nottingham/missing",
                 "a/b/c", "nottingham%2Ffour-bed-home", ".."]:
        lv = [dict(rlev[0], scenario=name)]
        st, _, data = request(srv, "POST", "/api/runs", dict(RB, scenarios=[{"name": "x", "levers": lv}]))
        e = errors(data) or []
        c.ok(st == 400 and len(e) == 1 and MARK.encode() not in data and "scenario" in e[0],
             f"a council scenario {name!r} is refused with one message ({st}, {e})")
    for name in ["foster-recruitment", "../scenarios/d2n2/joint-block", "d2n2/../d2n2/joint-block", "d2n2/missing"]:
        st, _, data = request(srv, "POST", "/api/runs", dict(RB, scenarios=[{"file": name}]))
        c.ok(st == 400, f"region scenario file {name!r} is refused ({st}, {errors(data)})")
    st, _, data = request(srv, "POST", "/api/runs", dict(SMALL, scenarios=[{"file": "d2n2/joint-block"}]))
    c.ok(st == 400, f"a region scenario with a council's baseline is refused ({st})")
    # out-of-range region levers: check's messages, as for a council
    good = dict(RB, scenarios=[{"name": "region-range", "levers": rlev}])
    st, _, saved = request(srv, "POST", "/api/scenario-file", good)
    c.ok(st == 200 and b'scenario = "nottingham/four-bed-home.cfg";' in saved and b'baseline = "../config/d2n2.cfg";'
         in saved, f"a region scenario is saved with its council scenario's path ({st}, {saved[:400]})")
    bad = [rlev[0], dict(rlev[1], places=241), dict(rlev[2], market="ifa_national")]
    st, _, data = request(srv, "POST", "/api/runs", dict(RB, scenarios=[{"name": "region-range", "levers": bad}]))
    api_msgs = errors(data) or []
    with open(os.path.join(srv.dir, "scenarios", "region-range.cfg"), "w") as f:
        f.write(saved.decode().replace("places = 20;", "places = 241;").replace(
            'market = "ifa_d2n2";', 'market = "ifa_national";'))
    r = subprocess.run([CARECAP, "check", "region-range.cfg"], cwd=os.path.join(srv.dir, "scenarios"),
                       capture_output=True, text=True)
    check_msgs = [x for x in r.stderr.splitlines() if not x.startswith("carecap:")]
    c.ok(st == 400 and r.returncode == 3 and len(api_msgs) == 2 and api_msgs == check_msgs,
         f"out-of-range region levers get check's messages: API {api_msgs} check {check_msgs}")
    os.unlink(os.path.join(srv.dir, "scenarios", "region-range.cfg"))

    body = dict(RB, scenarios=[{"name": "region-api", "levers": rlev}, {"file": "d2n2/joint-block"}])
    st, rid, last = run(srv, body)
    c.ok(st == 200 and last and last["state"] == "done", f"a region's run finishes ({last})")
    res = json.loads(request(srv, "GET", f"/api/runs/{rid}/results")[2])
    c.ok(res.get("region") and [k["key"] for k in res["councils"]] == ["nottinghamshire", "nottingham", "derby",
                                                                       "derbyshire"],
         "the results hold the region's rows and each council's")
    st, _, saved = request(srv, "POST", "/api/scenario-file", dict(body, scenarios=body["scenarios"][:1]))
    with open(os.path.join(srv.dir, "scenarios", "region-api.cfg"), "wb") as f:
        f.write(saved)
    r = subprocess.run([CARECAP, "check", "scenarios/region-api.cfg"], cwd=srv.dir, capture_output=True, text=True)
    c.ok(r.returncode == 0, f"the saved region scenario passes check ({r.stderr})")
    r = subprocess.run([CARECAP, "compare", "config/d2n2.cfg", "scenarios/region-api.cfg",
                        "scenarios/d2n2/joint-block.cfg", "-r", "12", "-y", "2", "-s", "7", "-j", "1", "-o", "cli",
                        "--no-charts", "-q"], cwd=srv.dir, capture_output=True, text=True)
    c.ok(r.returncode == 0, f"compare runs the region with the saved scenario ({r.stderr})")

    def csv_rows5(name):
        rows = {}
        with open(os.path.join(srv.dir, "cli", name)) as f:
            next(f)
            for line in f:
                p = line.rstrip("\n").split(",")
                rows[tuple(p[:4]) + (p[-1],)] = [float(x) if x else None for x in p[4:-1]]
        return rows

    for part, name in (("comparison", "comparison.csv"), ("monthly", "monthly.csv"), ("annual", "annual.csv")):
        cli = csv_rows5(name)
        api = [(tuple(r[:4]) + ("region",), r[4:]) for r in res[part]]
        for k in res["councils"]:
            api += [(tuple(r[:4]) + (k["key"],), r[4:]) for r in k[part]]
        mism = [a for a in api if cli.get(a[0]) != a[1]]
        per = {a[0][4] for a in api}
        c.ok(len(api) > 500 and len(per) == 5 and not mism,
             f"region {part}: the API's {len(api)} rows equal compare's CSV ({len(mism)} differ: {mism[:2]})")
    # a region's files: the index, the region's and each council's report, by name only
    for f in ["report.html", "region/report.html", "councils/derby/report.html", "comparison.csv"]:
        st, _, _ = request(srv, "GET", f"/api/runs/{rid}/files/{f}")
        c.ok(st == 200 and f in res["files"], f"the region run's file {f} is served ({st})")
    rdir = os.path.join(srv.dir, "output", "serve", rid)
    for f in ["councils/derby/config.cfg", "councils/../report.html", "councils/derby/../../manifest.txt",
              "councils%2Fderby%2F..%2F..%2Fmanifest.txt", "councils//derby/report.html", "a/b/c/d/report.html",
              "councils/derby/charts/../report.html", "/councils/derby/report.html"]:
        st, _, data = request(srv, "GET", f"/api/runs/{rid}/files/{f}")
        c.ok(st == 404 and MARK.encode() not in data, f"GET files/{f} is refused ({st})")
    # a council's folder replaced by a link: not followed
    shutil.rmtree(os.path.join(rdir, "councils", "derby"))
    os.makedirs(os.path.join(outside, "derby"))
    with open(os.path.join(outside, "derby", "report.html"), "w") as f:
        f.write(MARK)
    os.symlink(os.path.join(outside, "derby"), os.path.join(rdir, "councils", "derby"))
    st, _, data = request(srv, "GET", f"/api/runs/{rid}/files/councils/derby/report.html")
    c.ok(st == 404 and MARK.encode() not in data, f"a council folder replaced by a link is not followed ({st})")
finally:
    rc = srv.stop()
    c.ok(rc == 0, f"the server stops cleanly (exit {rc}): {srv.errors[-2000:]}")
    srv.cleanup()

# ---- 5c. a child process (gnuplot) starts with no signal blocked or ignored, though the
# server's threads block the stop signals; and run folders are kept to --keep-runs
fake = tempfile.mkdtemp(prefix="carecap-fakegp-")
sigdir = os.path.join(fake, "seen")
os.makedirs(sigdir)
with open(os.path.join(fake, "gnuplot"), "w") as f:
    # read by the shell itself, with no command forked (a shell blocks signals around a fork)
    f.write("#!/bin/sh\nwhile read -r k v; do case $k in SigBlk:|SigIgn:) echo \"$k $v\";; esac; done "
            "< /proc/$$/status > \"%s/$$\"\nexit 127\n" % sigdir)
os.chmod(os.path.join(fake, "gnuplot"), 0o755)
env = dict(os.environ, PATH=fake + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
srv = Server("-j", "1", "--keep-runs", "2", env=env)
try:
    ids = []
    for seed in range(1, 5):
        st, rid, last = run(srv, dict(SMALL, reps=4, years=1, seed=seed))
        c.ok(st == 200 and last and last["state"] == "done", f"a run with a stand-in gnuplot finishes ({last})")
        ids.append(rid)
    seen = [open(os.path.join(sigdir, x)).read() for x in os.listdir(sigdir)]
    # SigBlk: no signal blocked; SigIgn: none of the standard signals 1-31 ignored (glibc's spawn
    # leaves its own internal signals 32 and 33 ignored)
    masks = [(ln.split(":")[0], int(ln.split()[1], 16)) for x in seen for ln in x.splitlines()]
    c.ok(len(masks) >= 8 and all(v == 0 if k == "SigBlk" else v & 0x7fffffff == 0 for k, v in masks),
         f"gnuplot starts with no signal blocked or ignored ({len(seen)} starts: {sorted(set(seen))})")
    runs = os.path.join(srv.dir, "output", "serve")
    kept = sorted(os.listdir(runs))
    c.ok(kept == sorted(ids[-2:]), f"--keep-runs 2 keeps the newest two run folders ({kept})")
    st, _, _ = request(srv, "GET", f"/api/runs/{ids[0]}/files/monthly.csv")
    c.ok(st == 404, f"a pruned run's files are gone ({st})")
    st, _, _ = request(srv, "GET", f"/api/runs/{ids[-1]}/files/monthly.csv")
    c.ok(st == 200, f"the newest run's files are served ({st})")
finally:
    rc = srv.stop()
    c.ok(rc == 0, f"the server stops cleanly (exit {rc}): {srv.errors[-2000:]}")
    srv.cleanup()
    shutil.rmtree(fake, ignore_errors=True)

# ---- 5d. back-tests: by a baseline's name only, the numbers of `carecap backtest`, cancel
srv = Server("-j", "2")
try:
    lst = json.loads(request(srv, "GET", "/api/baselines")[2])
    bt = {b["name"]: b.get("backtest") for b in lst["baselines"]}
    c.ok(bt.get("nottinghamshire") == {"config": "nottinghamshire-2019", "la": "891"} and not bt.get("d2n2"),
         f"a baseline with a back-test says so ({bt})")
    BT = {"config": "nottinghamshire", "reps": 24, "seed": 2}
    st, rid, last = run_at(srv, "/api/backtests", BT)
    c.ok(st == 200 and last and last["state"] == "done" and last["total"] == 48, f"a back-test finishes ({last})")
    res = json.loads(request(srv, "GET", f"/api/runs/{rid}/results")[2])
    for unc, part, fname in (("on", "on", "backtest.csv"), ("off", "off", "backtest-uncertainty-off.csv")):
        r = subprocess.run([CARECAP, "backtest", "config/nottinghamshire-2019.cfg", "tests/data/dfe-891", "--la", "891",
                            "-r", "24", "-s", "2", "-j", "1", "--uncertainty", unc, "-o", "bt-" + unc, "--no-charts",
                            "-q"], cwd=srv.dir, capture_output=True, text=True)
        c.ok(r.returncode == 0, f"carecap backtest runs ({r.stderr[-300:]})")
        cli = {}
        with open(os.path.join(srv.dir, "bt-" + unc, "backtest.csv")) as f:
            next(f)
            for line in f:
                q = line.rstrip("\n").split(",")
                num = lambda x: float(x) if x else None  # noqa: E731
                cli[(q[0], int(q[1]))] = [num(q[2]), num(q[3]), num(q[5]), num(q[7]),
                                          None if q[8] == "" else int(q[8])]
        api = {(x[0], x[2]): [x[3], x[4], x[5], x[6], x[7]] for x in res[part]["rows"]}
        inside = sum(1 for v in cli.values() if v[4] == 1)
        c.ok(len(api) > 40 and api == cli and res[part]["inside"] == inside,
             f"back-test, uncertainty {unc}: the API's {len(api)} rows equal carecap backtest's "
             f"({[k for k in cli if api.get(k) != cli[k]][:2]})")
        with open(os.path.join(srv.dir, "output", "serve", rid, fname), "rb") as f1, \
                open(os.path.join(srv.dir, "bt-" + unc, "backtest.csv"), "rb") as f2:
            c.ok(f1.read() == f2.read(), f"the run's {fname} is carecap backtest's, byte for byte")
    # names only, never paths; a baseline without a back-test; scenarios refused
    for name in ["nottinghamshire-2019", "../config/nottinghamshire", "/etc/passwd", "d2n2", "tests/data/dfe-891"]:
        st, _, data = request(srv, "POST", "/api/backtests", dict(BT, config=name))
        e = errors(data) or []
        c.ok(st == 400 and len(e) == 1, f"a back-test of {name!r} is refused with one message ({st}, {e})")
    st, _, data = request(srv, "POST", "/api/backtests", dict(BT, scenarios=[{"file": "step-down"}]))
    c.ok(st == 400, f"a back-test with scenarios is refused ({st})")
    st, _, data = request(srv, "POST", "/api/backtests", "{", headers={"Content-Type": "application/json"})
    c.ok(st == 400 and (errors(data) or [""])[0].startswith("request: line 1"), f"bad JSON: 400 ({st})")
    # the published folder replaced by a link: not used, not listed
    data_dir = os.path.join(srv.dir, "tests", "data")
    os.rename(os.path.join(data_dir, "dfe-892"), os.path.join(srv.dir, "dfe-892-real"))
    os.symlink(os.path.join(srv.dir, "dfe-892-real"), os.path.join(data_dir, "dfe-892"))
    st, _, data = request(srv, "POST", "/api/backtests", dict(BT, config="nottingham"))
    lst = json.loads(request(srv, "GET", "/api/baselines")[2])
    c.ok(st == 400 and not [b for b in lst["baselines"] if b["name"] == "nottingham" and b.get("backtest")],
         f"a linked folder of published figures is not followed ({st}, {errors(data)})")
    # the list of back-tests is checked as a config is: file:line, unknown settings, codes that are not codes
    with open(os.path.join(data_dir, "backtests.conf"), "w") as f:
        f.write('backtests = (\n  { baseline = "nottinghamshire"; config = "nottinghamshire-2019"; la = "../../x"; },\n'
                '  { baseline = "derby"; config = "derby-2019"; la = "831"; colour = "red"; }\n);\n')
    st, _, data = request(srv, "POST", "/api/backtests", BT)
    e = errors(data) or []
    c.ok(st == 400 and len(e) == 2 and e[0].startswith("./tests/data/backtests.conf:2: backtests[0].la:")
         and e[1].startswith("./tests/data/backtests.conf:3:") and b"../../x" not in data,
         f"a bad list of back-tests gets check-like messages ({st}, {e})")
    with open(os.path.join(data_dir, "backtests.conf"), "w") as f:
        f.write('backtests = ( { baseline = "nottinghamshire"; config = "nottinghamshire-2019"; la = "891"; } );\n')
    # cancel
    s1 = socket.create_connection((srv.host, srv.port), timeout=30)
    body = json.dumps(dict(BT, reps=10000)).encode()
    s1.sendall(b"POST /api/backtests HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % (srv.port, len(body)) + body)
    head = s1.recv(4096)
    rid = [x.split(b":", 1)[1].strip().decode() for x in head.split(b"\r\n") if x.lower().startswith(b"x-carecap-run")]
    if rid:
        request(srv, "POST", f"/api/runs/{rid[0]}/cancel", {})
        for _ in range(100):
            sa = status(srv, rid[0])
            if sa["state"] not in ("running", "queued"):
                break
            time.sleep(0.1)
        c.ok(sa["state"] == "cancelled" and not os.path.exists(os.path.join(srv.dir, "output", "serve", rid[0])),
             f"a cancelled back-test ends cancelled and leaves nothing ({sa})")
    else:
        c.ok(False, f"a long back-test starts ({head[:200]})")
    s1.close()
finally:
    rc = srv.stop()
    c.ok(rc == 0, f"the server stops cleanly (exit {rc}): {srv.errors[-2000:]}")
    srv.cleanup()

# ---- 6. any other address needs a token: made up and printed, or given
srv = Server("--listen", "0.0.0.0")
try:
    tok = srv.url.split("token=")[1] if "token=" in srv.url else ""
    c.ok(len(tok) >= 32, f"a token is made and printed in the URL ({srv.url})")
    srv.host = "127.0.0.1"
    st, _, _ = request(srv, "GET", "/api/info")
    c.ok(st == 401, f"no token: 401 ({st})")
    st, _, _ = request(srv, "GET", "/api/baselines", token="0" * 32)
    c.ok(st == 401, f"a wrong token: 401 ({st})")
    st, _, _ = request(srv, "POST", "/api/runs", SMALL, token=tok[:-1])
    c.ok(st == 401, f"a token cut short: 401 ({st})")
    st, _, _ = request(srv, "GET", "/api/info", token=tok)
    c.ok(st == 200, f"the token: 200 ({st})")
    st, _, _ = request(srv, "GET", "/api/info?token=" + tok)
    c.ok(st == 200, f"the token in the query: 200 ({st})")
    st, _, _ = request(srv, "GET", "/api/runs/" + "a" * 32 + "/files/monthly.csv")
    c.ok(st == 401, f"a file without the token: 401 ({st})")
    st, _, _ = request(srv, "POST", "/api/backtests", {"config": "nottinghamshire", "reps": 2})
    c.ok(st == 401, f"a back-test without the token: 401 ({st})")
finally:
    rc = srv.stop()
    c.ok(rc == 0, f"the server stops cleanly (exit {rc}): {srv.errors[-2000:]}")
    srv.cleanup()
srv = Server("--listen", "0.0.0.0", "--token", "given-token-0123456789")
try:
    srv.host = "127.0.0.1"
    c.ok(srv.url.endswith("?token=given-token-0123456789"), "the given token is printed")
    st, _, _ = request(srv, "GET", "/api/info")
    c.ok(st == 401, f"no token: 401 ({st})")
    st, _, _ = request(srv, "GET", "/api/info", token="given-token-0123456789")
    c.ok(st == 200, f"the given token: 200 ({st})")
finally:
    rc = srv.stop()
    c.ok(rc == 0, f"the server stops cleanly (exit {rc}): {srv.errors[-2000:]}")
    srv.cleanup()

# ---- 7. at most N runs at once, the rest queued, then refused; cancel; disconnect
srv = Server("--max-runs", "1", "--queue", "1", "-j", "1")
try:
    LONG = {"config": "nottinghamshire", "reps": 3000, "years": 10, "seed": 1}
    socks = []

    def start(body):
        """Start a run on a connection kept open: (socket, id or None, status)."""
        s = socket.create_connection((srv.host, srv.port), timeout=30)
        data = json.dumps(body).encode()
        s.sendall(b"POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % (srv.port, len(data)) + data)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
        code = int(head.split(b" ")[1]) if head else 0
        rid = None
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"x-carecap-run:"):
                rid = line.split(b":", 1)[1].strip().decode()
        return s, rid, code

    a = start(LONG)
    b = start(LONG)
    c3 = start(LONG)
    socks = [a[0], b[0], c3[0]]
    c.ok(a[2] == 200 and b[2] == 200, f"two runs accepted ({a[2]}, {b[2]})")
    c.ok(c3[2] == 503, f"a third is refused while one runs and one waits ({c3[2]})")
    time.sleep(1)
    sa, sb = status(srv, a[1]), status(srv, b[1])
    c.ok(sa and sa["state"] == "running", f"the first runs ({sa})")
    c.ok(sb and sb["state"] == "queued" and sb["position"] == 0, f"the second waits ({sb})")
    # cancel the first with the API: it ends cancelled and leaves nothing
    st, _, _ = request(srv, "POST", f"/api/runs/{a[1]}/cancel", {})
    for _ in range(100):
        sa = status(srv, a[1])
        if sa["state"] != "running":
            break
        time.sleep(0.1)
    c.ok(st == 200 and sa["state"] == "cancelled", f"a cancelled run ends cancelled ({sa})")
    c.ok(not os.path.exists(os.path.join(srv.dir, "output", "serve", a[1])), "a cancelled run leaves no folder")
    for _ in range(50):
        sb = status(srv, b[1])
        if sb["state"] == "running":
            break
        time.sleep(0.1)
    c.ok(sb["state"] == "running", f"the waiting run starts when the first ends ({sb})")
    # the client of the second goes away: its run is cancelled
    b[0].close()
    for _ in range(100):
        sb = status(srv, b[1])
        if sb["state"] != "running":
            break
        time.sleep(0.1)
    c.ok(sb["state"] == "cancelled", f"a client that disconnects cancels its run ({sb})")
    # a queued run whose client goes away is cancelled too
    d1 = start(LONG)
    d2 = start(LONG)
    socks += [d1[0], d2[0]]
    time.sleep(0.5)
    d2[0].close()
    time.sleep(2.5)
    s2 = status(srv, d2[1])
    c.ok(s2 and s2["state"] == "cancelled", f"a queued run whose client went away is cancelled ({s2})")
    request(srv, "POST", f"/api/runs/{d1[1]}/cancel", {})
    for s in socks:
        s.close()
finally:
    rc = srv.stop()
    c.ok(rc == 0, f"the server stops cleanly (exit {rc}): {srv.errors[-2000:]}")
    srv.cleanup()

# ---- 8. the API's numbers are compare's, same seed
srv = Server("-j", "2")
try:
    body = {"config": "nottinghamshire", "reps": 40, "years": 3, "seed": 11,
            "scenarios": [{"name": "api-test", "levers": [
                {"lever": "foster_recruitment", "extra_per_year": 6, "from": "2023-01-01",
                 "one_off_cost": 40000, "revenue_cost": 120000, "ramp_up_months": 9},
                {"lever": "edge_of_care", "entry_multiplier": {"age_12_15": 0.8}, "from": "2023-06-01"}]},
                {"file": "step-down"}]}
    st, rid, last = run(srv, body)
    c.ok(st == 200 and last["state"] == "done", f"the API run finishes ({last})")
    res = json.loads(request(srv, "GET", f"/api/runs/{rid}/results")[2])
    st, _, saved = request(srv, "POST", "/api/scenario-file", dict(body, scenarios=body["scenarios"][:1]))
    with open(os.path.join(srv.dir, "scenarios", "api-test.cfg"), "wb") as f:
        f.write(saved)
    r = subprocess.run([CARECAP, "compare", "config/nottinghamshire.cfg", "scenarios/api-test.cfg",
                        "scenarios/step-down.cfg", "-r", "40", "-y", "3", "-s", "11", "-j", "1", "-o", "cli",
                        "--no-charts", "-q"], cwd=srv.dir, capture_output=True, text=True)
    c.ok(r.returncode == 0, f"compare runs ({r.stderr})")

    def csv_rows(name):
        rows = {}
        with open(os.path.join(srv.dir, "cli", name)) as f:
            next(f)
            for line in f:
                p = line.rstrip("\n").split(",")
                rows[tuple(p[:4])] = [float(x) if x else None for x in p[4:]]
        return rows

    for part, name in (("comparison", "comparison.csv"), ("monthly", "monthly.csv"), ("annual", "annual.csv")):
        cli = csv_rows(name)
        mism = [r for r in res[part] if cli.get(tuple(r[:4])) != r[4:]]
        c.ok(len(res[part]) > 100 and not mism,
             f"{part}: the API's {len(res[part])} rows equal compare's CSV ({len(mism)} differ: {mism[:2]})")
    # the business case: every row of it in compare's CSV is in the API, equal
    business = ("lever_cost", "savings", "net_benefit", "npv", "p_payback", "payback_year", "gap_weeks_closed",
                "cost_per_gap_week")
    cli = {k: v for k, v in csv_rows("comparison.csv").items() if k[2] in business}
    api = {tuple(r[:4]): r[4:] for r in res["comparison"] if r[2] in business}
    per = {(k[0], k[2]) for k in cli}
    c.ok(len(cli) > 20 and api == cli and len(per) == 2 * len(business),
         f"the business case: the API's {len(api)} rows equal compare's {len(cli)} "
         f"({sorted(set(cli) ^ set(api))[:3]}, {[k for k in cli if api.get(k) != cli[k]][:2]})")
finally:
    rc = srv.stop()
    c.ok(rc == 0, f"the server stops cleanly (exit {rc}): {srv.errors[-2000:]}")
    srv.cleanup()

sys.exit(c.finish("test_serve_http"))
