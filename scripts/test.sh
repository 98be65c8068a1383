#!/usr/bin/env bash
# Runs every test of Extensible on a fresh Debian machine with the .NET SDK: installs what the tests drive,
# restores and builds the solution, runs each test project, and prints one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

# System packages the tests use as real peers and clients (installed only when missing).
need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v swaks >/dev/null 2>&1 || need+=(swaks)
command -v spamd >/dev/null 2>&1 || need+=(spamd)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing test dependencies: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || echo "warning: could not install ${need[*]}; tests that drive them will fail"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Extensible.sln -c Release -nologo -clp:ErrorsOnly || { echo "0 passed, 1 failed: build failed"; exit 1; }

passed=0; failed=0; skipped=0; status=0
results=$(mktemp -d)
for project in tests/*/*.csproj; do
  grep -q '<IsTestProject>false</IsTestProject>' "$project" && continue
  name=$(basename "$project" .csproj)
  [ -d "$(dirname "$project")" ] || continue
  # Projects without test files yet are skipped by the runner; a hang is cut after 10 minutes per test.
  echo "=== $name"
  dotnet test "$project" -c Release --no-build -nologo --blame-hang-timeout 10m \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" 2>&1 | tee "$results/$name.log" | grep -E '^(  Failed |  Passed |Passed!|Failed!|Skipped |error|.*Total tests)' || true
  code=${PIPESTATUS[0]}
  if [ -f "$results/$name.trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$results/$name.trx" | head -1)
    p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
    s=$(echo "$counters" | sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  elif [ "$code" -ne 0 ]; then
    failed=$((failed + 1)); echo "$name: test run failed before reporting (exit $code)"
  fi
  [ "$code" -ne 0 ] && status=1
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -gt 0 ] && status=1
exit $status
