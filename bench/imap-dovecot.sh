#!/usr/bin/env bash
# Runs the same IMAP generator (Extensible.Bench.Imap) against Debian's Dovecot, configured in a temporary folder:
# loopback port, passwd-file (SHA512-CRYPT hashes, auth cache on), Maildir, no TLS,
# login and imap processes reused (service_count = 0) and kept ready (process_min_avail), IDLE hibernation on.
# IDLE defaults to 2,000 connections: each needs an imap process until it hibernates, and setup takes minutes at 10,000.
# Needs root (Dovecot's master drops to dovenull/nobody) and: apt-get update && apt-get install -y dovecot-imapd
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-all}"
PORT="${DOVECOT_PORT:-31143}"
CLIENTS="${CLIENTS:-10}"
SECONDS_RUN="${SECONDS_RUN:-20}"
IDLE="${IDLE:-2000}"
ulimit -n 65536 2>/dev/null || ulimit -n 20000 2>/dev/null || true
command -v dovecot >/dev/null || { echo "dovecot not installed: apt-get update && apt-get install -y dovecot-imapd" >&2; exit 2; }

T="$(mktemp -d /tmp/bench-dovecot.XXXXXX)"
chmod 755 "$T"
mkdir -p "$T/run" "$T/state" "$T/home"
chown 65534:65534 "$T/home"
cleanup() { [[ -n "${SHOW_LOG:-}" ]] && tail -n 20 "$T/dovecot.log"; dovecot -c "$T/dovecot.conf" stop 2>/dev/null || true; sleep 1; rm -rf "$T"; }
trap cleanup EXIT

HASH="$(doveadm pw -s "${DOVECOT_SCHEME:-SHA512-CRYPT}" -p secret)"
USERS=""
for i in $(seq 0 $((CLIENTS - 1))); do
  echo "bench$i@example.test:$HASH::::::" >> "$T/passwd"
  USERS="${USERS:+$USERS,}bench$i@example.test"
done

cat > "$T/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $T/run
state_dir = $T/state
log_path = $T/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_cache_size = 10M
auth_cache_ttl = 1 min
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_max_userip_connections = 100000
default_client_limit = 12000
default_process_limit = 11000
default_vsz_limit = 1G
imap_hibernate_timeout = 2s
passdb {
  driver = passwd-file
  args = $T/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$T/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
  service_count = 0
  process_min_avail = 2
  client_limit = 12000
  process_limit = 4
}
service imap {
  service_count = 0
  process_min_avail = 4
  process_limit = 11000
  idle_kill = 3 secs
  unix_listener imap-master {
    mode = 0666
  }
}
service imap-hibernate {
  unix_listener imap-hibernate {
    mode = 0666
  }
  client_limit = 12000
}
EOF

dovecot -c "$T/dovecot.conf"
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.2; done
BENCH=bench/Extensible.Bench.Imap/bin/Release/net10.0/Extensible.Bench.Imap
sleep 1; MASTER_PID="$(cat "$T/run/master.pid" 2>/dev/null || pgrep -f "dovecot -c $T" | head -1)"
echo "dovecot $(dovecot --version | cut -d' ' -f1), master pid $MASTER_PID, port $PORT"
if [[ "$MODE" == all || "$MODE" == mixed ]]; then
  $BENCH mixed --port "$PORT" --users "$USERS" --password secret --clients "$CLIENTS" --seconds "$SECONDS_RUN" ${PER_COMMAND:+--per-command}
fi
if [[ "$MODE" == all || "$MODE" == logins ]]; then
  $BENCH logins --port "$PORT" --users "$USERS" --password secret --clients "$CLIENTS" --seconds "$SECONDS_RUN"
fi
if [[ "$MODE" == all || "$MODE" == idle ]]; then
  # Memory of every Dovecot process (sum of PSS, which splits shared pages fairly), before and while IDLE connections are held.
  pss() { local total=0; for p in $(pgrep -s "$(ps -o sid= -p "$MASTER_PID" | tr -d ' ')"); do
      v=$(awk '/^Pss:/ {s+=$2} END {print s+0}' /proc/$p/smaps_rollup 2>/dev/null || echo 0); total=$((total + v)); done; echo "$total"; }
  before=$(pss)
  $BENCH idle --port "$PORT" --users "$USERS" --password secret --idle "$IDLE" --hold 25 > "$T/idle.out" &
  BPID=$!
  for _ in $(seq 1 600); do grep -q "holding" "$T/idle.out" 2>/dev/null && break; kill -0 $BPID 2>/dev/null || break; sleep 1; done
  sleep 15
  during=$(pss)
  wait $BPID || true
  cat "$T/idle.out"
  echo "dovecot idle: pss_before=$((before / 1024))MB pss_idle=$((during / 1024))MB processes=$(pgrep -c -s "$(ps -o sid= -p "$MASTER_PID" | tr -d ' ')")"
fi
