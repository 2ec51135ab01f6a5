#!/usr/bin/env python3
"""Check deploy/compose.yaml and the Dockerfile against the warden binary (CI: .ci/run).

- compose.yaml parses (PyYAML) and has the services, secrets and proxy config it promises;
- every WARDEN_* variable set in compose.yaml or by the Dockerfile's ENV is one warden reads:
  a setting's variable or its _FILE form, as `warden config keys --json` lists them, or one
  of the few variables read by name (the first administrator's);
- every *_FILE variable points into /run/secrets/<name> of a secret its service mounts, and
  every secret a service mounts is declared with a file.

Usage: python3 deploy/check.py [path/to/warden]   (default: target/debug/warden)
"""

import json
import os
import re
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Read by name, not settings (src/config/sources.rs OTHER_VARIABLES, secrets.rs).
OTHER = {"WARDEN_ADMIN_PASSWORD", "WARDEN_ADMIN_PASSWORD_FILE", "WARDEN_ADMIN_EMAIL"}
# Settings of work that is merged separately: allowed, and reported, until the binary has
# them (then they are checked like any other).
PENDING = {"WARDEN_POLICY_SOURCE": "policy_source, issue 29 (published policy sets)"}


def known_variables(binary):
    out = subprocess.run(
        [binary, "config", "keys", "--json"], check=True, capture_output=True, text=True
    ).stdout
    known = set(OTHER)
    for key in json.loads(out):
        known.add(key["env"])
        if key.get("env_file"):
            known.add(key["env_file"])
    return known


def dockerfile_variables(path):
    text = open(path).read().replace("\\\n", " ")
    # The runtime image's ENV: the last stage (the builder's are build-time variables).
    stages = re.split(r"(?im)^FROM\s", text)
    text = stages[-1]
    names = set()
    for line in text.splitlines():
        line = line.strip()
        if line.upper().startswith("ENV "):
            names.update(re.findall(r"\b(WARDEN_[A-Z0-9_]+)=", line))
    return names


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/warden")
    known = known_variables(binary)
    errors, notes = [], []

    with open(os.path.join(HERE, "compose.yaml")) as f:
        compose = yaml.safe_load(f)
    services = compose.get("services") or {}
    declared = compose.get("secrets") or {}
    for name in ("postgres", "warden-1", "warden-2", "proxy"):
        if name not in services:
            errors.append(f"compose.yaml: no service {name}")
    for name, secret in declared.items():
        if not isinstance(secret, dict) or "file" not in secret:
            errors.append(f"compose.yaml: secret {name} has no file")
    if not os.path.exists(os.path.join(HERE, "haproxy.cfg")):
        errors.append("haproxy.cfg is missing")

    def check(where, name, value=None, mounted=()):
        if not name.startswith("WARDEN_"):
            return
        if name not in known:
            if name in PENDING:
                notes.append(f"{where}: {name} is not in this binary yet ({PENDING[name]})")
            else:
                errors.append(f"{where}: {name} is not a variable warden reads")
        if name.endswith("_FILE") and value is not None:
            m = re.fullmatch(r"/run/secrets/([A-Za-z0-9_.-]+)", str(value))
            if not m:
                errors.append(f"{where}: {name} should name /run/secrets/<secret>, not {value}")
            elif m.group(1) not in mounted:
                errors.append(f"{where}: {name} names secret {m.group(1)}, not mounted there")

    for sname, service in services.items():
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
        mounted = set()
        for s in service.get("secrets") or []:
            mounted.add(s if isinstance(s, str) else s.get("source"))
        for s in mounted:
            if s not in declared:
                errors.append(f"compose.yaml: {sname} mounts undeclared secret {s}")
        for name, value in env.items():
            check(f"compose.yaml: {sname}", name, value, mounted)

    for name in sorted(dockerfile_variables(os.path.join(ROOT, "Dockerfile"))):
        check("Dockerfile ENV", name)

    for note in notes:
        print(f"note: {note}")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        return 1
    print(f"deploy/compose.yaml and Dockerfile: {len(services)} services, every variable known")
    return 0


if __name__ == "__main__":
    sys.exit(main())
