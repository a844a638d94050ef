#!/usr/bin/env bash
# The torture suite's long soak (issue 12; docs/consistency.md, "Torture suite"): every case of
# tests/Stockpile.Redis.Tests/Torture (server and cluster, SQLite and PostgreSQL, every fault), not the short form's
# subset, with more operations per workload phase and more fault cycles per case, at low CPU priority. Each case prints
# its counts: operations tried by kind, reads checked, stale, lost, caller exceptions, and its circuit timings.
#
# Usage: scripts/soak.sh [rounds] [cycles]
#   rounds  operations per workload (per phase of a fault case: a quarter); default 3000 (STOCKPILE_TORTURE_ROUNDS)
#   cycles  faults per fault case; default 3 (STOCKPILE_TORTURE_CYCLES)
# Replay a printed seed with STOCKPILE_TORTURE_SEED=n. Any failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-servers.sh
export STOCKPILE_SOAK=1
if [ "$#" -ge 1 ]; then export STOCKPILE_TORTURE_ROUNDS="$1"; fi
if [ "$#" -ge 2 ]; then export STOCKPILE_TORTURE_CYCLES="$2"; fi

dotnet build tests/Stockpile.Redis.Tests -c Release --nologo
nice -n 10 dotnet test tests/Stockpile.Redis.Tests -c Release --no-build --nologo \
  --filter "TestCategory=Torture" --logger "console;verbosity=normal"
