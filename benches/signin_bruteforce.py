#!/usr/bin/env python3
"""Sign-in brute force: N concurrent wrong passwords for one account, all at once.

Reports how many password checks warden actually ran (a 401 is a checked and refused
password; a 429 or 503 was refused before any hashing) against the per-account limit. The
throttle holds when the checks made do not exceed the limit, however many arrive at once.

    python3 benches/signin_bruteforce.py                     # starts target/release/warden
    python3 benches/signin_bruteforce.py --burst 50 --burst 200
    python3 benches/signin_bruteforce.py --url http://127.0.0.1:8080 --email a@b.c --limit 5

Without --url it starts the real binary on 127.0.0.1:0 with a fresh database in a temp
directory (a fresh server per burst, so each starts with a clean throttle) and stops it at the
end. Standard library only; loopback only; every request has a timeout.
"""

import argparse
import sys
import threading
import time

from warden_proc import ADMIN_EMAIL, Client, Warden, metric, metrics_text


def burst(url, email, n, timeout):
    """Send n wrong passwords for `email` at the same instant; count answers by status."""
    ready = threading.Barrier(n)
    statuses = [0] * n
    retry_after = []

    def attempt(i):
        client = Client(url, timeout=timeout)
        # Connect before the barrier, so the requests leave together.
        client.request("GET", "/healthz")
        ready.wait()
        status, _, headers = client.request(
            "POST", "/v1/auth/login", {"email": email, "password": f"wrong-password-{i:04}"})
        statuses[i] = status
        if status == 429 and "retry-after" in {k.lower() for k in headers}:
            retry_after.append(next(v for k, v in headers.items() if k.lower() == "retry-after"))
        client.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    return counts, time.monotonic() - started, retry_after


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running warden (loopback); default: start one")
    parser.add_argument("--warden", help="the binary to start (default target/release/warden)")
    parser.add_argument("--email", default=ADMIN_EMAIL, help="the account attacked")
    parser.add_argument("--limit", type=int, default=5,
                        help="the server's per-account limit (default 5, warden's default; "
                             "set when the server was configured otherwise)")
    parser.add_argument("--burst", type=int, action="append",
                        help="concurrent attempts (repeatable; default 50 and 200)")
    parser.add_argument("--timeout", type=float, default=60, help="per request, seconds")
    args = parser.parse_args()
    bursts = args.burst or [50, 200]

    print(f"sign-in brute force on one account ({args.email}), per-account limit {args.limit}")
    print(f"{'burst':>6} {'checked (401)':>14} {'throttled (429)':>16} {'busy (503)':>11} "
          f"{'other':>6} {'metrics failed':>15} {'seconds':>8}  verdict")
    held = True
    for n in bursts:
        server = Warden(url=args.url, binary=args.warden,
                        # One client address: the (account, address) limit binds first.
                        env={"WARDEN_LOGIN_MAX_FAILURES_PER_ACCOUNT": str(args.limit),
                             "WARDEN_LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS": str(args.limit)})
        try:
            before = metric(metrics_text(server.url), "warden_logins_total", {"result": "failed"})
            counts, seconds, retry_after = burst(server.url, args.email, n, args.timeout)
            after = metric(metrics_text(server.url), "warden_logins_total", {"result": "failed"})
        finally:
            server.stop()
        checked = counts.get(401, 0)
        other = sum(v for k, v in counts.items() if k not in (401, 429, 503))
        failed = "-" if before is None or after is None else f"{after - before:.0f}"
        ok = checked <= args.limit and other == 0
        held &= ok
        print(f"{n:>6} {checked:>14} {counts.get(429, 0):>16} {counts.get(503, 0):>11} "
              f"{other:>6} {failed:>15} {seconds:>8.2f}  "
              f"{'held' if ok else 'BYPASSED' if checked > args.limit else 'errors'}")
        if other:
            print(f"        unexpected answers: { {k: v for k, v in counts.items() if k not in (401, 429, 503)} }")
        if retry_after:
            print(f"        Retry-After values: {sorted(set(retry_after))}")
        if args.url:
            print("        (against --url the throttle state carries over between bursts)")
    print("throttle held under every burst" if held
          else "throttle did NOT hold: more password checks ran than the limit allows")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
