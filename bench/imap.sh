#!/usr/bin/env bash
# IMAP bench: the same generator (Extensible.Bench.Imap) against Extensible (TestServer with Storage + Imap) and then
# against Debian's Dovecot (bench/imap-dovecot.sh): mixed workload, login rate and IDLE connections held.
# Env: CLIENTS (10), SECONDS_RUN (20), IDLE (10000), DOVECOT_IDLE (2000), SKIP_DOVECOT=1.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 20000 2>/dev/null || true
dotnet build plugins/Extensible.Imap -c Release >/dev/null
dotnet build bench/Extensible.Bench.Imap -c Release >/dev/null
BENCH=bench/Extensible.Bench.Imap/bin/Release/net10.0/Extensible.Bench.Imap
echo "== Extensible"
$BENCH mixed --clients "${CLIENTS:-10}" --seconds "${SECONDS_RUN:-20}" ${PER_COMMAND:+--per-command}
$BENCH logins --clients "${CLIENTS:-10}" --seconds "${SECONDS_RUN:-20}"
$BENCH idle --clients 4 --idle "${IDLE:-10000}"
if [[ -z "${SKIP_DOVECOT:-}" ]]; then
  echo "== Dovecot"
  IDLE="${DOVECOT_IDLE:-2000}" bench/imap-dovecot.sh all
fi
