#!/usr/bin/python3
"""The database goes away under load: what clients see, and that everything recovers without a restart.

Phase 1 (a database given by URL, which serve must not restart): a cluster of this test's own, `serve` on it,
readers and a writer running; the cluster is stopped. Checked while it is down: every request that needs
PostgreSQL answers 503 problem+json with Retry-After within 2 s, /v1/nearest keeps answering 200 from memory,
/readyz answers 200 with "database": "down" and /readyz?strict=true 503, a PATCH answers 503 and changes
nothing; no other 5xx, no hang. The cluster comes back: reads, strict readiness and writes recover by themselves.
It is stopped again and serve gets SIGTERM: it exits (status 0) within the drain time.
Phase 2 (the embedded cluster): serve runs its own cluster; the postmaster is killed (kill -9); serve restarts it
and answers again.

    /usr/bin/python3 scripts/outage-test.py --bin .build/debug/servicecircle

Standard library only. Prints `outage: N passed, M failed`; exits non-zero on any failure.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(PROJECT, ".artifacts")
NEAREST = "/v1/nearest?lat=30.58&lon=114.30&business=ebike_registration&limit=3"
results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok)))
    print(("  ok    " if ok else "  FAIL  ") + name + ("" if ok else f" — {detail}"), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, path, method="GET", body=None, headers=None, timeout=10):
    """(status, headers, body bytes, seconds); status 0 when the connection failed."""
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    start = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read(), time.monotonic() - start
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read(), time.monotonic() - start
    except Exception as e:  # noqa: BLE001 - a refused or timed-out connection is a result here
        return 0, {}, str(e).encode(), time.monotonic() - start


def run(binary, *args, env=None):
    return subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=180, cwd=PROJECT)


class Serve:
    def __init__(self, binary, args, log_path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen([binary, "serve", "--port", str(self.port), "--log-level", "notice", *args],
                                     stdout=self.log, stderr=subprocess.STDOUT, cwd=PROJECT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}; see {log_path}")
            if request(self.base, "/readyz", timeout=2)[0] == 200:
                return
            time.sleep(0.5)
        raise RuntimeError("serve did not become ready in 180 s")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


class Load:
    """Readers of the memory path and the database path, and what they saw, while `phase` says where we are."""

    def __init__(self, base):
        self.base = base
        self.phase = "up"
        self.stop = False
        self.seen = []  # (phase, path, status, seconds)
        self.threads = [threading.Thread(target=self.loop, args=(p,), daemon=True)
                        for p in (NEAREST, "/v1/outlets?limit=5", "/v1/outlets/1/status", NEAREST)]
        for t in self.threads:
            t.start()

    def loop(self, path):
        while not self.stop:
            status, _, _, secs = request(self.base, path, timeout=15)
            self.seen.append((self.phase, path, status, secs))
            time.sleep(0.01)

    def finish(self):
        self.stop = True
        for t in self.threads:
            t.join(timeout=20)


def phase_url(binary, data):
    started = run(binary, "db", "start", "--data-dir", data, "--log-level", "warning")
    if started.returncode != 0:
        raise RuntimeError("db start failed: " + started.stderr)
    url = started.stdout.strip()
    # No rate limit: the load below is one client on purpose.
    serve = Serve(binary, ["--database-url", url, "--rate-limit", "0"], os.path.join(ARTIFACTS, "outage-url.log"))
    try:
        key = run(binary, "keys", "create", "--name", "outage.editor", "--role", "editor", "--database-url", url).stdout.strip().split()[-1]
        status, headers, body, _ = request(serve.base, "/v1/outlets/1")
        check("outlet 1 readable before the outage", status == 200, status)
        etag = headers.get("ETag") or headers.get("Etag")
        load = Load(serve.base)
        time.sleep(2)

        stopped = run(binary, "db", "stop", "--data-dir", data, "--log-level", "warning")
        check("the database stopped", stopped.returncode == 0, stopped.stderr)
        load.phase = "down"
        down_at = time.monotonic()
        time.sleep(1.5)

        status, headers, body, secs = request(serve.base, "/v1/outlets?limit=5")
        problem = json.loads(body or b"{}") if status == 503 else {}
        check("/v1/outlets answers 503 problem+json while the database is down", status == 503 and problem.get("status") == 503,
              (status, body[:200]))
        check("  … with Retry-After", "Retry-After" in headers or "retry-after" in headers, headers)
        check("  … within 2 s", secs < 2, f"{secs:.2f} s")
        status, _, body, secs = request(serve.base, NEAREST)
        check("/v1/nearest keeps answering 200 from memory", status == 200 and secs < 2, (status, f"{secs:.2f} s"))
        status, _, body, _ = request(serve.base, "/readyz")
        ready = json.loads(body or b"{}") if status == 200 else {}
        check("/readyz stays 200 and says the database is down", status == 200 and ready.get("database") == "down", (status, body[:200]))
        status, _, _, secs = request(serve.base, "/readyz?strict=true")
        check("/readyz?strict=true answers 503", status == 503 and secs < 2, (status, f"{secs:.2f} s"))
        patch = json.dumps({"phone": "027-00000001"}).encode()
        hdrs = {"Authorization": f"Bearer {key}", "If-Match": etag or "", "Content-Type": "application/merge-patch+json"}
        status, headers, body, secs = request(serve.base, "/v1/outlets/1", "PATCH", patch, hdrs)
        check("a PATCH answers 503 (nothing acknowledged) within 2 s", status == 503 and secs < 2, (status, f"{secs:.2f} s", body[:200]))
        time.sleep(2)
        down_seen = [s for s in load.seen if s[0] == "down"]
        slow = [s for s in down_seen if s[3] >= 2.5 and time.monotonic() - down_at > 0]
        bad = [s for s in down_seen if s[2] >= 500 and s[2] != 503 or s[2] == 0]
        check(f"under load while down: no 5xx but 503, no refused connection ({len(down_seen)} requests)", not bad, bad[:5])
        check("under load while down: no request waited 2.5 s or more", not slow, slow[:5])
        check("under load while down: the memory path kept answering 200",
              any(s[1] == NEAREST and s[2] == 200 for s in down_seen) and all(s[2] == 200 for s in down_seen if s[1] == NEAREST),
              [s for s in down_seen if s[1] == NEAREST and s[2] != 200][:5])

        started = run(binary, "db", "start", "--data-dir", data, "--log-level", "warning")
        check("the database started again", started.returncode == 0, started.stderr)
        load.phase = "back"
        recovered = None
        t0 = time.monotonic()
        while time.monotonic() - t0 < 15:
            if request(serve.base, "/v1/outlets?limit=5")[0] == 200 and request(serve.base, "/readyz?strict=true")[0] == 200:
                recovered = time.monotonic() - t0
                break
            time.sleep(0.2)
        check("reads and strict readiness recover without a restart", recovered is not None, "not within 15 s")
        if recovered is not None:
            print(f"  (recovered {recovered:.1f} s after the database was back)")
        status, headers, _, _ = request(serve.base, "/v1/outlets/1")
        etag = headers.get("ETag") or headers.get("Etag") or ""
        hdrs["If-Match"] = etag
        status, _, body, _ = request(serve.base, "/v1/outlets/1", "PATCH", patch, hdrs)
        check("a PATCH succeeds after the database is back", status == 200, (status, body[:200]))
        load.finish()
        all_bad = [s for s in load.seen if (s[2] >= 500 and s[2] != 503) or s[2] == 0]
        check(f"the whole run: no 500, no crash ({len(load.seen)} requests)", not all_bad and serve.proc.poll() is None, all_bad[:5])

        run(binary, "db", "stop", "--data-dir", data, "--log-level", "warning")
        time.sleep(1.5)
        t0 = time.monotonic()
        serve.proc.send_signal(signal.SIGTERM)
        try:
            code = serve.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            code = None
        took = time.monotonic() - t0
        check("SIGTERM while the database is down: exits 0 within 10 s", code == 0 and took < 10, (code, f"{took:.1f} s"))
        print(f"  (exited {took:.1f} s after SIGTERM)")
    finally:
        serve.stop()
        run(binary, "db", "stop", "--data-dir", data, "--log-level", "warning")


def phase_embedded(binary, data):
    serve = Serve(binary, ["--data-dir", data, "--rate-limit", "5", "--rate-limit-burst", "5"], os.path.join(ARTIFACTS, "outage-embedded.log"))
    try:
        # Per-client rate limit (this server allows 5 a second, bursts of 5): the sixth quick request is a 429.
        seen = [request(serve.base, "/v1/outlet-kinds") for _ in range(12)]
        limited = [r for r in seen if r[0] == 429]
        check("rate limit: quick requests past the burst get 429", len(limited) >= 5 and seen[0][0] == 200, [r[0] for r in seen])
        if limited:
            status, headers, body, _ = limited[0]
            problem = json.loads(body or b"{}")
            check("  … problem+json with Retry-After", problem.get("status") == 429 and ("Retry-After" in headers or "retry-after" in headers),
                  (headers, body[:200]))
        check("  … health checks are never limited", all(request(serve.base, "/healthz")[0] == 200 for _ in range(10)))
        time.sleep(1.5)
        check("  … and the client is served again once tokens are back", request(serve.base, "/v1/outlet-kinds")[0] == 200)
        with open(os.path.join(data, "pgdata", "postmaster.pid")) as f:
            pid = int(f.readline())
        os.kill(pid, signal.SIGKILL)
        time.sleep(1)
        status, _, _, secs = request(serve.base, "/v1/outlets?limit=1")
        check("embedded cluster killed: requests get 503 quickly", status == 503 and secs < 2, (status, f"{secs:.2f} s"))
        t0 = time.monotonic()
        back = None
        while time.monotonic() - t0 < 60:
            if request(serve.base, "/v1/outlets?limit=1")[0] == 200:
                back = time.monotonic() - t0
                break
            time.sleep(0.5)
        check("serve restarts its embedded cluster and answers again", back is not None, "not within 60 s")
        if back is not None:
            print(f"  (answering again {back:.1f} s after the kill)")
        check("serve is still the same process", serve.proc.poll() is None, serve.proc.returncode)
    finally:
        serve.stop()
        run(binary, "db", "stop", "--data-dir", data, "--log-level", "warning")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    os.makedirs(ARTIFACTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="sc-outage-")
    os.chmod(work, 0o755)  # as root the cluster runs as the postgres user, which must reach it
    try:
        print("outage, phase 1: a database given by URL")
        phase_url(binary, os.path.join(work, "url"))
        print("outage, phase 2: the embedded cluster dies")
        phase_embedded(binary, os.path.join(work, "embedded"))
    except Exception as e:  # noqa: BLE001
        check("the test ran to the end", False, repr(e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = sum(1 for _, ok in results if not ok)
    print(f"outage: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
