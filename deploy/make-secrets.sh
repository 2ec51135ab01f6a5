#!/usr/bin/env sh
# Write the compose secrets of compose.yaml into ./secrets (mode 0600, never committed):
# a random PostgreSQL password, the database URL that carries it, the first administrator's
# password (printed once) and the operations key. Keeps files that exist.
set -eu
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
random() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
[ -f secrets/postgres_password ] || random > secrets/postgres_password
[ -f secrets/warden_db_url ] ||
  printf 'postgres://warden:%s@postgres:5432/warden\n' "$(cat secrets/postgres_password)" > secrets/warden_db_url
if [ ! -f secrets/warden_admin_password ]; then
  random > secrets/warden_admin_password
  echo "admin@localhost's password: $(cat secrets/warden_admin_password)"
fi
[ -f secrets/warden_operations_key ] || random > secrets/warden_operations_key
echo "secrets in $(pwd)/secrets"
