#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, only when one is missing. libsqlite3-dev:
# the sync state (linked); postgresql + libpq5: the sync tests start a throwaway PostgreSQL
# (scripts/pg-temp.sh) and the library loads libpq at run time for postgres:// states.
set -euo pipefail
need=()
# nginx + openssl: the HTTPS tests; redis-server: the shared-budget tests; openjdk-17-jre-headless: pyspark's local mode;
# libsqlite3-dev, postgresql, libpq5: sync states.
for p in libcurl4-openssl-dev libjansson-dev libsqlite3-dev postgresql libpq5 golang-go valgrind pkg-config python3-venv nginx openssl redis-server openjdk-17-jre-headless; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
