#!/usr/bin/env bash
# Runs every test of the project: installs what a fresh machine lacks (only what is missing),
# fetches the real firmware and kernel the tests boot, builds the guest programs, checks that
# SWT's native libraries resolve, then runs the whole Tycho reactor with its tests under Xvfb.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# - make, gcc-riscv64-unknown-elf: the guests (built here and from tests)
# - qemu-utils (qemu-img, qemu-io), qemu-system-misc (qemu-system-riscv64), gdb-multiarch: reference tools
# - xvfb, libgtk-3-0: the workbench tests and `./rewind ide` (SWT's GTK 3; scripts/check-swt-natives.sh checks the rest)
# - unzip: ./mvnw unpacks Maven with it
# - opensbi, u-boot-qemu: real firmware the tests boot, unmodified
# - e2fsprogs, dosfstools, cpio: disk images and initramfs for the firmware and Linux tests
packages="make gcc-riscv64-unknown-elf qemu-utils qemu-system-misc gdb-multiarch xvfb libgtk-3-0 unzip
          opensbi u-boot-qemu e2fsprogs dosfstools cpio"
# - lcov: genhtml renders the coverage file `rewind coverage` writes (AskPackAndCoverRecordingsTest)
packages="$packages lcov"
# - xz-utils: the kernel's modules are .ko.xz; scripts/linux-initramfs.sh unpacks virtio_blk, ext4 and
#   their dependencies for LinuxOnSeveralHartsKeepsFilesOnItsVirtioDiskTest (priority "standard": a
#   minimal machine may lack it)
packages="$packages xz-utils"
# Not here on purpose: picolibc-riscv64-unknown-elf. No test or guest uses a libc (guests are built
# -nostdlib -ffreestanding); only the Embench benchmark links it, and scripts/bench-embench.sh
# installs it when it is missing.
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

# Debian 13's riscv64 kernel and busybox (another architecture: a private apt folder, cached).
REWIND_RISCV64_PACKAGES="$(scripts/fetch-riscv64-packages.sh)"
export REWIND_RISCV64_PACKAGES

if [ -f guests/Makefile ]; then
  make -s -C guests -j2
fi

# CI proves the first use of ./mvnw on every run: Maven is bootstrapped into an empty folder
# (cheap: the zip is in the local repository after the first time).
if [ "${CI:-}" = true ] && [ -z "${REWIND_MAVEN_HOME:-}" ]; then
  maven_home="$(mktemp -d)"
  trap 'rm -rf "$maven_home"' EXIT
  export REWIND_MAVEN_HOME="$maven_home/apache-maven"
  echo "test.sh: CI: bootstrapping Maven into the empty REWIND_MAVEN_HOME=$REWIND_MAVEN_HOME" >&2
fi

# Before any UI test: SWT's GTK libraries must resolve, or say which package is missing.
scripts/check-swt-natives.sh

xvfb-run -a ./mvnw -B verify "$@"
