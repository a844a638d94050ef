#!/usr/bin/env bash
# Runs every test of the solution: installs the servers the tests need (redis-server, PostgreSQL) if missing, then
# `dotnet test`. Each test project starts its own private servers on free loopback ports and stops them afterwards.
# Exits non-zero when any test fails. Extra arguments go to `dotnet test` (e.g. --filter Name~Chained).
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-test-servers.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Stockpile.sln -c Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test projects.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo
echo "Total: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "error: no test ran" >&2
  exit 1
fi
exit "$status"
