#!/usr/bin/env bash
# Downloads Debian 13's riscv64 Linux kernel and static busybox (the workloads of the Linux tests)
# into a cache, without touching the system's apt configuration, and unpacks them.
#   scripts/fetch-riscv64-packages.sh [CACHE]     (default: ${XDG_CACHE_HOME:-~/.cache}/rewind/riscv64)
# Prints the cache folder. Afterwards CACHE/root holds the unpacked packages:
#   CACHE/root/boot/vmlinux-*            the kernel Image (QEMU's -kernel format)
#   CACHE/root/usr/lib/modules/*/        its modules (virtio_blk.ko.xz among them)
#   CACHE/root/usr/bin/busybox           static rv64gc busybox
# The .debs stay in CACHE/debs, so a second run downloads nothing.
set -euo pipefail
cache="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/rewind/riscv64}"
packages="linux-image-riscv64 busybox-static"
if [ -f "$cache/done" ] && [ "$(cat "$cache/done")" = "$packages" ]; then echo "$cache"; exit 0; fi

# The system's own Debian mirror, read at run time (no host name is written into the project).
uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
if [ -z "$uri" ]; then
  echo "fetch-riscv64-packages: no Debian source found in /etc/apt (needed to download riscv64 packages)" >&2; exit 1
fi
apt="$cache/apt"
mkdir -p "$apt/etc/apt/sources.list.d" "$apt/var/lib/apt/lists/partial" "$apt/var/cache/apt/archives/partial" \
         "$apt/var/lib/dpkg" "$cache/debs"
: > "$apt/var/lib/dpkg/status"
cat > "$apt/etc/apt/sources.list.d/trixie-riscv64.sources" <<SRC
Types: deb
URIs: $uri
Suites: trixie
Components: main
Architectures: riscv64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
opts=(-o Dir="$apt" -o Dir::State::status="$apt/var/lib/dpkg/status"
      -o APT::Architecture=riscv64 -o APT::Architectures=riscv64
      -o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$apt/etc/apt/sources.list.d"
      -o Dir::Cache="$apt/var/cache/apt" -o Debug::NoLocking=1)
echo "fetch-riscv64-packages: downloading $packages (riscv64, Debian 13) into $cache ..." >&2
apt-get "${opts[@]}" -qq update
# linux-image-riscv64 is a metapackage: take the real kernel package it depends on too.
kernel=$(apt-cache "${opts[@]}" depends linux-image-riscv64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$kernel" ]; then
  echo "fetch-riscv64-packages: cannot find the kernel package linux-image-riscv64 depends on" >&2; exit 1
fi
(cd "$cache/debs" && apt-get "${opts[@]}" -qq download $packages "$kernel")
rm -rf "$cache/root"; mkdir -p "$cache/root"
for deb in "$cache"/debs/*.deb; do dpkg-deb -x "$deb" "$cache/root"; done
ls "$cache"/root/boot/vmlinux-* >/dev/null && [ -x "$cache/root/usr/bin/busybox" ] || {
  echo "fetch-riscv64-packages: the packages did not contain /boot/vmlinux-* and /usr/bin/busybox" >&2; exit 1; }
echo "$packages" > "$cache/done"
echo "$cache"
