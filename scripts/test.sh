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
  dll="$(dirname "$project")/bin/Release/net10.0/$name.dll"
  if ! find "$(dirname "$project")" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' | grep -q .; then
    continue   # a test project with no tests yet
  fi
  echo "=== $name"
  # Each test assembly runs as its own process (xunit.v3); a hung run is cut after 20 minutes.
  timeout --signal=KILL 20m dotnet "$dll" -noLogo -noColor -xml "$results/$name.xml" > "$results/$name.log" 2>&1
  code=$?
  grep -E '^\s*\[FAIL\]|Total: ' "$results/$name.log" | head -50
  if [ -f "$results/$name.xml" ]; then
    line=$(grep -o '<assembly [^>]*>' "$results/$name.xml" | head -1)
    p=$(echo "$line" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); f=$(echo "$line" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
    e=$(echo "$line" | sed -n 's/.* errors="\([0-9]*\)".*/\1/p'); s=$(echo "$line" | sed -n 's/.* skipped="\([0-9]*\)".*/\1/p')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${s:-0}))
  else
    failed=$((failed + 1)); echo "$name: the test run ended before reporting (exit $code); last lines:"; tail -30 "$results/$name.log"
  fi
  if [ "$code" -ne 0 ]; then
    status=1
    grep -A25 '\[FAIL\]' "$results/$name.log" | head -150
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -gt 0 ] && status=1
exit $status
