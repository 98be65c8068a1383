#!/usr/bin/env bash
# SMTP benchmark: the same smtp-source-like generator (bench/Extensible.Bench.Smtp) against
#   1. Extensible (Storage + Processing + SmtpReceiving, Pop3 to count deliveries; fsync on, the defaults), out of process;
#   2. a protocol-only sink (the SmtpReceiving handler alone, messages dropped), for the plugin's own cost;
#   3. Postfix from Debian's packages, local delivery to a Maildir, on 127.0.0.1:2526.
# Both servers are started here and stopped after. Environment knobs (defaults = the issue's target run):
#   SESSIONS=20 MESSAGES=10000 SIZE=4096 PER_CONNECTION=1 PIPELINING=1 USERS=1 SKIP_POSTFIX=0 NO_BUILD=0 LOG_LEVEL=Warning
#   PLUGIN_BIN=<folder of plugin builds, default plugin-bin> TRACE=<file.nettrace: sample the server with dotnet-trace>
#   PERF=<file.data: record the server's CPU with perf; sets DOTNET_PerfMapEnabled=1 so JIT frames have names>
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SESSIONS=${SESSIONS:-20}
MESSAGES=${MESSAGES:-10000}
SIZE=${SIZE:-4096}
PER_CONNECTION=${PER_CONNECTION:-1}
PIPELINING=${PIPELINING:-1}
USERS=${USERS:-1}
LOG_LEVEL=${LOG_LEVEL:-Warning}
EXT_PORT=${EXT_PORT:-2525}
POP3_PORT=${POP3_PORT:-2110}
POSTFIX_PORT=${POSTFIX_PORT:-2526}
SINK_PORT=${SINK_PORT:-2527}
PLUGIN_BIN=${PLUGIN_BIN:-$ROOT/plugin-bin}
TRACE=${TRACE:-}
PERF=${PERF:-}
[ -z "$PERF" ] || export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0

if [ "${NO_BUILD:-0}" != 1 ]; then
  for project in host/Extensible.Host plugins/Extensible.Storage plugins/Extensible.Processing plugins/Extensible.SmtpReceiving plugins/Extensible.Pop3 bench/Extensible.Bench.Smtp; do
    dotnet build "$project" -c Release -nologo -v q >/dev/null
  done
fi

HOST_DLL="$ROOT/host/Extensible.Host/bin/Release/net10.0/extensible.dll"
BENCH_DLL="$ROOT/bench/Extensible.Bench.Smtp/bin/Release/net10.0/Extensible.Bench.Smtp.dll"
WORK=$(mktemp -d /tmp/bench-smtp.XXXXXX)
SERVER_PID=""
POSTFIX_STARTED=0
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "$POSTFIX_STARTED" = 1 ]; then postfix stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

common_args=(-s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -r "$PER_CONNECTION")
[ "$PIPELINING" = 1 ] || common_args+=(--no-pipelining)

# ---- 1. Extensible -------------------------------------------------------------------------------
mkdir -p "$WORK/plugin-bin"
for plugin in Storage Processing SmtpReceiving Pop3; do cp -r "$PLUGIN_BIN/$plugin" "$WORK/plugin-bin/"; done
cat > "$WORK/extensible.json" <<JSON
{
  "Server": { "Name": "bench.example.test", "PrimaryDomain": "example.test", "DataDirectory": "$WORK/data", "PluginDirectory": "$WORK/plugin-bin" },
  "Logging": { "MinimumLevel": "$LOG_LEVEL", "Console": true, "File": { "Enabled": false } },
  "Services": {
    "smtp-receiving": { "Listeners": [ { "Name": "mx", "Address": "127.0.0.1:$EXT_PORT" } ] },
    "pop3": { "Listeners": [ { "Name": "pop3", "Address": "127.0.0.1:$POP3_PORT" } ] }
  }
}
JSON
ext() { dotnet "$HOST_DLL" "$@" --config "$WORK/extensible.json"; }
ext domain add example.test >/dev/null
recipients=""
for i in $(seq 1 "$USERS"); do
  echo bench | ext user add "bench$i@example.test" --password-stdin >/dev/null
  recipients+="bench$i@example.test,"
done
dotnet "$HOST_DLL" serve --config "$WORK/extensible.json" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 600); do [ -f "$WORK/data/run/listeners.json" ] && break; sleep 0.1; done
[ -f "$WORK/data/run/listeners.json" ] || { echo "server did not start"; cat "$WORK/server.log"; exit 1; }
echo "== Extensible (fsync on): $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TRACE_PID=""
if [ -n "$TRACE" ]; then
  "$HOME/.dotnet/tools/dotnet-trace" collect -p "$SERVER_PID" --profile dotnet-sampled-thread-time -o "$TRACE" >/dev/null 2>&1 &
  TRACE_PID=$!
  sleep 2
fi
PERF_PID=""
if [ -n "$PERF" ]; then
  perf record -F 999 -g -p "$SERVER_PID" -o "$PERF" >/dev/null 2>&1 &
  PERF_PID=$!
  sleep 1
fi
before=$(cpu_ticks "$SERVER_PID")
dotnet "$BENCH_DLL" --label extensible --port "$EXT_PORT" --pop3-port "$POP3_PORT" --pop3-password bench --to "${recipients%,}" "${common_args[@]}"
after=$(cpu_ticks "$SERVER_PID")
awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n=$((MESSAGES + 200)) \
  'BEGIN { printf "  server CPU: %.2f s for %d messages (warm-up included): %.2f ms per message\n", t / hz, n, 1000 * t / hz / n }'
grep -E '\[(WRN|ERR|FTL)\]' "$WORK/server.log" | head -5 || true
if [ -n "$PERF_PID" ]; then kill -TERM "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; fi
if [ -n "$TRACE_PID" ]; then kill -TERM "$TRACE_PID" 2>/dev/null || true; wait "$TRACE_PID" 2>/dev/null || true; fi
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

# ---- 2. Protocol-only sink: the SmtpReceiving session handler alone, messages dropped after reading ----------
if [ "${SKIP_SINK:-0}" != 1 ]; then
  dotnet "$BENCH_DLL" --sink "$SINK_PORT" >"$WORK/sink.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do grep -q listening "$WORK/sink.log" 2>/dev/null && break; sleep 0.1; done
  echo "== Protocol-only sink (SmtpReceiving handler in the generator's own process, no host, no queue)"
  before=$(cpu_ticks "$SERVER_PID")
  dotnet "$BENCH_DLL" --label sink --port "$SINK_PORT" --to a@example.test "${common_args[@]}"
  after=$(cpu_ticks "$SERVER_PID")
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n=$((MESSAGES + 200)) \
    'BEGIN { printf "  sink CPU: %.2f s for %d messages: %.2f ms per message\n", t / hz, n, 1000 * t / hz / n }'
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
fi

# ---- 3. Postfix ------------------------------------------------------------------------------------
[ "${SKIP_POSTFIX:-0}" = 1 ] && exit 0
if ! command -v postfix >/dev/null 2>&1; then
  echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
  echo "postfix postfix/mailname string bench.test" | debconf-set-selections
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null
fi
postfix stop >/dev/null 2>&1 || true
cp /etc/postfix/main.cf "$WORK/main.cf.orig"; cp /etc/postfix/master.cf "$WORK/master.cf.orig"
restore_postfix() { cp "$WORK/main.cf.orig" /etc/postfix/main.cf; cp "$WORK/master.cf.orig" /etc/postfix/master.cf; }
trap 'restore_postfix; cleanup' EXIT
postconf -e "myhostname = bench.test" "mydestination = bench.test, localhost" "inet_interfaces = loopback-only" \
  "mynetworks = 127.0.0.0/8" "home_mailbox = Maildir/" "maillog_file = /var/log/postfix-bench.log" "inet_protocols = ipv4"
sed -i "s/^smtp      inet/127.0.0.1:$POSTFIX_PORT inet/" /etc/postfix/master.cf
maildirs=()
precipients=""
for i in $(seq 1 "$USERS"); do
  id "pbench$i" >/dev/null 2>&1 || useradd -m "pbench$i"
  rm -rf "/home/pbench$i/Maildir"
  maildirs+=(--maildir "/home/pbench$i/Maildir")
  precipients+="pbench$i@bench.test,"
done
newaliases
postfix start >/dev/null 2>&1; POSTFIX_STARTED=1
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$POSTFIX_PORT") 2>/dev/null && break; sleep 0.1; done
echo "== Postfix $(postconf -h mail_version) (Debian package, local delivery to Maildir)"
dotnet "$BENCH_DLL" --label postfix --port "$POSTFIX_PORT" --from bench@remote.test --to "${precipients%,}" "${maildirs[@]}" "${common_args[@]}"
postfix stop >/dev/null 2>&1 || true; POSTFIX_STARTED=0
