#!/usr/bin/env bash
# Installs the servers the tests start for themselves (redis-server, PostgreSQL) from Debian packages, if missing.
# The tests start private instances on free loopback ports with data in temporary folders, and stop them afterwards;
# this script only makes sure the binaries are there.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools) # redis-cli creates the test cluster
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
  echo "test servers: redis-server, redis-cli and PostgreSQL already installed"
  exit 0
fi

echo "test servers: installing ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
command -v redis-server >/dev/null 2>&1 || { echo "error: redis-server still missing after install" >&2; exit 1; }
command -v redis-cli >/dev/null 2>&1 || { echo "error: redis-cli still missing after install" >&2; exit 1; }
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || { echo "error: PostgreSQL still missing after install" >&2; exit 1; }
echo "test servers: installed"
