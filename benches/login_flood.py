#!/usr/bin/env python3
"""Login flood: 64 concurrent sign-ins for 20 s (unknown emails and a real account with wrong
passwords) while a second client times `/healthz` and `/v1/authorize`, and the server's
memory is sampled before, during and 10 s after.

Targets (issue 11): peak RSS under 160 MiB; medians of `/healthz` and `/v1/authorize` under
5 ms during the flood; RSS back within 20% of its value before the flood.

    python3 benches/login_flood.py                 # starts target/release/warden
    python3 benches/login_flood.py --concurrency 64 --seconds 20 --settle 10
    python3 benches/login_flood.py --url http://127.0.0.1:8080 --pid 1234 \
        --email admin@localhost --password '...'

Without --url it starts the real binary on 127.0.0.1:0 with a fresh database in a temp dir,
with the per-address sign-in limit raised so that the flood, which all comes from 127.0.0.1,
stands for many attackers (many addresses, or clients behind one proxy) rather than being
throttled away after 20 failures. With --url, give --pid to sample memory. The flood and the
probe run in separate processes so the probe's timings do not include the flood's Python
scheduling. Standard library only; loopback only; everything stops by itself.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import threading
import time

from warden_proc import ADMIN_EMAIL, ADMIN_PASSWORD, Client, Warden, memory_kib

MIB = 1024.0


def flood_worker(url, email, seconds, index, counts):
    """One flooding connection: sign-ins with unknown emails, every fourth with the real one."""
    client = Client(url, timeout=60)
    deadline = time.monotonic() + seconds
    n = 0
    local = {}
    while time.monotonic() < deadline:
        who = email if n % 4 == 0 else f"nobody-{os.getpid()}-{index}-{n}@example.com"
        status, _, _ = client.request(
            "POST", "/v1/auth/login", {"email": who, "password": f"wrong-password-{n}"})
        local[status] = local.get(status, 0) + 1
        n += 1
    client.close()
    counts.append(local)


def flood_process(url, email, seconds, concurrency, out):
    counts = []
    threads = [threading.Thread(target=flood_worker, args=(url, email, seconds, i, counts))
               for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = {}
    for c in counts:
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
    out.put(total)


def probe_process(url, token, seconds, out):
    """Alternate `/healthz` and `/v1/authorize` on one keep-alive connection; latencies in ms."""
    client = Client(url, timeout=30)
    deadline = time.monotonic() + seconds
    health, authorize, failures = [], [], 0
    body = {"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1"}}
    auth = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < deadline:
        t = time.perf_counter()
        status, _, _ = client.request("GET", "/healthz")
        if status == 200:
            health.append((time.perf_counter() - t) * 1000)
        else:
            failures += 1
        t = time.perf_counter()
        status, _, _ = client.request("POST", "/v1/authorize", body, auth)
        if status == 200:
            authorize.append((time.perf_counter() - t) * 1000)
        else:
            failures += 1
        time.sleep(0.005)
    client.close()
    out.put((health, authorize, failures))


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running warden (loopback); default: start one")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, to read its memory")
    parser.add_argument("--warden", help="the binary to start (default target/release/warden)")
    parser.add_argument("--email", default=ADMIN_EMAIL, help="a real account (signs in once)")
    parser.add_argument("--password", default=ADMIN_PASSWORD, help="its password")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20, help="flood length")
    parser.add_argument("--settle", type=float, default=10, help="wait after the flood")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    server = Warden(url=args.url, binary=args.warden, pid=args.pid,
                    env={"WARDEN_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000000"})
    try:
        return run(server, args)
    finally:
        server.stop()


def run(server, args):
    status, signed_in, _ = Client(server.url).request(
        "POST", "/v1/auth/login", {"email": args.email, "password": args.password})
    if status != 200:
        sys.exit(f"cannot sign in as {args.email}: {status} {signed_in}")
    token = signed_in["access_token"]
    pid = server.pid

    # Before: a short quiet probe for reference, then the resting memory.
    quiet = multiprocessing.Queue()
    probe_process(server.url, token, 2, quiet)
    quiet_health, quiet_authorize, _ = quiet.get()
    rss_before, _ = memory_kib(pid) if pid else (0, 0)

    flood_out, probe_out = multiprocessing.Queue(), multiprocessing.Queue()
    flood = multiprocessing.Process(
        target=flood_process,
        args=(server.url, args.email, args.seconds, args.concurrency, flood_out))
    probe = multiprocessing.Process(
        target=probe_process, args=(server.url, token, args.seconds, probe_out))
    started = time.monotonic()
    flood.start()
    probe.start()
    peak = rss_before
    while flood.is_alive() or probe.is_alive():
        if pid:
            peak = max(peak, memory_kib(pid)[0])
        time.sleep(0.1)
        if time.monotonic() - started > args.seconds + 120:
            flood.terminate()
            probe.terminate()
            break
    flood_counts = flood_out.get(timeout=5) if not flood_out.empty() else {}
    health, authorize, probe_failures = (probe_out.get(timeout=5) if not probe_out.empty()
                                         else ([], [], 0))
    flood.join(5)
    probe.join(5)
    flood_seconds = time.monotonic() - started

    settle_end = time.monotonic() + args.settle
    while time.monotonic() < settle_end:
        if pid:
            peak = max(peak, memory_kib(pid)[0])
        time.sleep(0.1)
    rss_after, hwm = memory_kib(pid) if pid else (0, 0)

    total = sum(flood_counts.values())
    print(f"login flood: {args.concurrency} connections for {args.seconds:.0f} s "
          f"(took {flood_seconds:.1f} s), then {args.settle:.0f} s of rest")
    print(f"  sign-ins answered: {total} ({total / max(args.seconds, 1):.1f}/s): "
          + ", ".join(f"{k if k else 'no answer'}: {v}" for k, v in sorted(flood_counts.items())))
    print(f"  probe before the flood: /healthz median {median(quiet_health):.2f} ms, "
          f"/v1/authorize median {median(quiet_authorize):.2f} ms")
    print(f"  probe during the flood: {len(health)} /healthz, {len(authorize)} /v1/authorize, "
          f"{probe_failures} failed")
    missed = []

    def verdict(ok, name):
        if not ok:
            missed.append(name)
        return "met" if ok else "MISSED"

    h, a = median(health), median(authorize)
    print(f"  /healthz median during the flood:      {h:8.2f} ms  (target < 5 ms: "
          f"{verdict(h < 5, 'healthz median')})")
    print(f"  /v1/authorize median during the flood: {a:8.2f} ms  (target < 5 ms: "
          f"{verdict(a < 5, 'authorize median')})")
    if health:
        print(f"  /healthz p99 / max: {sorted(health)[int(len(health) * 0.99)]:.1f} / "
              f"{max(health):.1f} ms")
    if pid:
        ratio = rss_after / rss_before if rss_before else float("nan")
        print(f"  RSS before: {rss_before / MIB:.1f} MiB")
        print(f"  peak RSS:   {peak / MIB:.1f} MiB sampled, VmHWM {hwm / MIB:.1f} MiB  "
              f"(target < 160 MiB: {verdict(max(peak, hwm) < 160 * MIB, 'peak RSS')})")
        print(f"  RSS {args.settle:.0f} s after: {rss_after / MIB:.1f} MiB, "
              f"{ratio:.2f}x the value before  (target within 20%: "
              f"{verdict(ratio <= 1.2, 'RSS return')})")
    else:
        print("  memory not sampled (give --pid with --url)")
    print("all targets met" if not missed else "missed: " + ", ".join(missed))
    return 1 if (missed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
