#!/usr/bin/env bash
# POP3 bench: Extensible and Dovecot (Debian's dovecot-pop3d, tuned) side by side under the same load generator.
# Usage: bench/pop3-bench.sh [CLIENTS] [MESSAGES] [SECONDS]     (defaults 10 5 20)
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-10}; MESSAGES=${2:-5}; SECONDS_=${3:-20}; SIZE=${SIZE:-4096}; PORT=${PORT:-31110}
command -v dovecot >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-pop3d >/dev/null; }
dotnet build plugins/Extensible.Storage -c Release -v q -nologo >/dev/null
dotnet build plugins/Extensible.Pop3 -c Release -v q -nologo >/dev/null
dotnet build bench/Extensible.Bench.Pop3 -c Release -v q -nologo >/dev/null
BENCH=bench/Extensible.Bench.Pop3/bin/Release/net10.0/Extensible.Bench.Pop3

TMP=$(mktemp -d /tmp/pop3-dovecot.XXXXXX)
cleanup() { [ -f "$TMP/run/master.pid" ] && kill "$(cat "$TMP/run/master.pid")" 2>/dev/null || true; sleep 1; rm -rf "$TMP"; }
trap cleanup EXIT
chmod 755 "$TMP"
mkdir -p "$TMP/run" "$TMP/state" "$TMP/mail"
USERS=""
for i in $(seq 0 $((CLIENTS - 1))); do
  u="bench$i@example.test"; USERS="$USERS${USERS:+,}$u"
  echo "$u:{PLAIN}secret::::::" >> "$TMP/passwd"
  mkdir -p "$TMP/mail/$u/Maildir/"{cur,new,tmp}
  for m in $(seq 0 $((MESSAGES - 1))); do
    python3 - "$TMP/mail/$u/Maildir/cur/$((1700000000 + m)).M${m}P1.bench:2," "$m" "$SIZE" <<'PY'
import sys
path, index, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = f"From: bench@example.test\r\nTo: user@example.test\r\nSubject: bench message {index}\r\nMessage-ID: <bench{index}@example.test>\r\n\r\n"
while len(text) < size:
    text += "The quick brown fox jumps over the lazy dog; line of a POP3 bench message.\r\n"
open(path, "w", newline="").write(text)
PY
  done
done
chown -R dovecot:dovecot "$TMP/mail"
cat > "$TMP/dovecot.conf" <<CONF
base_dir = $TMP/run
state_dir = $TMP/state
log_path = $TMP/dovecot.log
protocols = pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$TMP/mail/%u/Maildir
mail_uid = dovecot
mail_gid = dovecot
first_valid_uid = 1
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN $TMP/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$TMP/mail/%u
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener pop3s {
    port = 0
  }
  service_count = 0
  process_min_avail = 2
  process_limit = 8
}
service pop3 {
  service_count = 0
  process_min_avail = $CLIENTS
  process_limit = 64
}
service auth {
  client_limit = 1000
}
CONF
dovecot -c "$TMP/dovecot.conf"
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.2; done

echo "== Dovecot $(dovecot --version | cut -d' ' -f1) =="
"$BENCH" --port "$PORT" --users "$USERS" --clients "$CLIENTS" --messages "$MESSAGES" --seconds "$SECONDS_" --label dovecot
grep -iE "error|fatal" "$TMP/dovecot.log" | head -5 || true
kill "$(cat "$TMP/run/master.pid")"; sleep 1
[ "${SKIP_EXTENSIBLE:-}" = 1 ] && exit 0
echo "== Extensible =="
"$BENCH" --clients "$CLIENTS" --messages "$MESSAGES" --size "$SIZE" --seconds "$SECONDS_" ${EXTRA:-}
