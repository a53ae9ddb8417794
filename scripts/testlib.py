"""What the Python test drivers share: a free port, a database URL on the test cluster, and a throw-away
`servicecircle serve` (it creates, migrates and seeds its own database). Standard library only."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

PROJECT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(base, name):
    """The cluster's URL with another database name."""
    u = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


class Server:
    """`servicecircle serve` on a free loopback port, without a rate limit (one test client on purpose)."""

    def __init__(self, binary, url, log, port=None, extra=()):
        port = port or free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--database-url", url, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
             "--rate-limit", "0", *extra],
            cwd=PROJECT, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, deadline_s=300):
        """Until /readyz answers 200 with a loaded read model (serve seeds an empty database first)."""
        end = time.time() + deadline_s
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"servicecircle serve exited with {self.proc.returncode} (see {self.log.name})")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=2) as r:
                    if r.status == 200 and json.loads(r.read()).get("read_model", {}).get("outlets", 0) > 0:
                        return
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"servicecircle serve not ready after {deadline_s} s (see {self.log.name})")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
