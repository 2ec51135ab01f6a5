"""Shared by the sign-in measurement scripts: start a real warden on 127.0.0.1:0 in a temp
directory (or use a running one), speak JSON over HTTP, and read a process's memory.

Standard library only. Loopback only: a URL that is not 127.0.0.1/localhost/[::1] is refused.
"""

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ADMIN_EMAIL = "admin@localhost"
ADMIN_PASSWORD = "measure-password-123"


def find_binary(given):
    """The warden binary: the one given, else target/release/warden, else target/debug/warden."""
    if given:
        return given
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for profile in ("release", "debug"):
        path = os.path.join(root, "target", profile, "warden")
        if os.access(path, os.X_OK):
            if profile == "debug":
                if not getattr(find_binary, "warned", False):
                    find_binary.warned = True
                    print("note: using target/debug/warden; `cargo build --release` measures the "
                          "real thing (argon2 is much slower unoptimised)", file=sys.stderr)
            return path
    sys.exit("no warden binary: run `cargo build --release` or pass --warden PATH")


class Warden:
    """A warden started for a measurement (stopped by `stop`), or one already running."""

    def __init__(self, url=None, binary=None, env=None, pid=None):
        self.dir = None
        self.proc = None
        self.pid = pid
        if url:
            self.url = url.rstrip("/")
            check_loopback(self.url)
            return
        self.dir = tempfile.mkdtemp(prefix="warden-measure-")
        full_env = dict(os.environ)
        full_env.update({
            "WARDEN_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "WARDEN_WATCH_POLICIES": "false",
            "RUST_LOG": "warn",
        })
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [find_binary(binary), "serve", "--listen", "127.0.0.1:0",
             "--db", os.path.join(self.dir, "warden.db"),
             "--policies", os.path.join(self.dir, "policies")],
            cwd=self.dir, env=full_env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        deadline = time.time() + 60
        self.url = None
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            if line.startswith("warden listening on "):
                self.url = line.split("warden listening on ", 1)[1].strip()
                break
        if not self.url:
            self.stop()
            sys.exit("warden did not start")
        # Keep draining stderr so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def check_loopback(url):
    host = urllib.parse.urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing {url}: these scripts only talk to the loopback interface")


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, url, timeout=30):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        """(status, parsed JSON or None, headers); status 0 on a connection failure."""
        all_headers = {"Content-Type": "application/json"} if body is not None else {}
        all_headers.update(headers or {})
        data = json.dumps(body).encode() if body is not None else None
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=all_headers)
                response = self.conn.getresponse()
                raw = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = None
                return response.status, parsed, dict(response.getheaders())
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 1:
                    return 0, None, {}
        return 0, None, {}

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def memory_kib(pid):
    """(VmRSS, VmHWM) of a process in KiB, or (0, 0) when it cannot be read."""
    values = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def metric(text, name, labels):
    """The value of one Prometheus sample, or None."""
    for line in (text or "").splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            try:
                return float(line.rsplit(" ", 1)[1])
            except ValueError:
                return None
    return None


def metrics_text(url):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
    try:
        conn.request("GET", "/metrics")
        response = conn.getresponse()
        return response.read().decode(errors="replace") if response.status == 200 else None
    except OSError:
        return None
    finally:
        conn.close()
