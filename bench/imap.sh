#!/usr/bin/env bash
# IMAP bench: mixed workload (10 clients) and 10,000 IDLE connections against a TestServer with Storage + Imap.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 20000 2>/dev/null || true
dotnet build plugins/Extensible.Imap -c Release >/dev/null
dotnet build bench/Extensible.Bench.Imap -c Release >/dev/null
bench/Extensible.Bench.Imap/bin/Release/net10.0/Extensible.Bench.Imap mixed --clients "${CLIENTS:-10}" --seconds "${SECONDS_RUN:-20}"
bench/Extensible.Bench.Imap/bin/Release/net10.0/Extensible.Bench.Imap idle --clients 4 --idle "${IDLE:-10000}"
