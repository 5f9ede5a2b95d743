#!/usr/bin/env bash
# Runs every test of the project: installs the reference tools the tests use (only those
# missing), builds the guest programs, then the whole Tycho reactor with its tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# make builds the guests (here and from tests); qemu-utils also brings qemu-io, used by the qcow2 tests
packages="make qemu-utils qemu-system-misc gdb-multiarch gcc-riscv64-unknown-elf xvfb"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "test.sh: installing$missing" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "test.sh: need root (or sudo) to install:$missing" >&2; exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

if [ -f guests/Makefile ]; then
  make -s -C guests -j2
fi

exec xvfb-run -a ./mvnw -B verify "$@"
