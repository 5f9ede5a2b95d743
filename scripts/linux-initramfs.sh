#!/usr/bin/env bash
# Builds the busybox initramfs that boots Debian 13's riscv64 kernel to a shell with a virtio disk
# mounted (issue 15): the kernel's own virtio_mmio, virtio_blk and ext4 modules (with what they
# depend on) from the same package, loaded by /init with insmod, then /dev/vda mounted on /mnt.
#   scripts/linux-initramfs.sh OUT.cpio [--signed]
# The kernel and busybox come from scripts/fetch-riscv64-packages.sh's cache
# (REWIND_RISCV64_PACKAGES overrides where). The archive is an uncompressed cpio (newc) with fixed
# times, the same bytes on every build (a recording names it with its SHA-256, so a replay may
# rebuild it). Uncompressed because unpacking a gzip'd 10 MB initramfs costs the guest ~1.5e8 more
# instructions than copying it.
#
# The modules are Debian's, decompressed (busybox insmod would do it in the guest, slowly), and
# without their appended signature unless --signed: this kernel checks signatures but does not
# enforce them (CONFIG_MODULE_SIG_FORCE is unset; an unsigned module only taints the kernel), and
# checking the seven RSA signatures costs ~1.3e9 instructions (1.3 s of QEMU 7.2 -icount shift=0
# time), more than the whole boot to /init.
#
# /init: busybox --install, mount proc, sys, devtmpfs; insmod the modules in dependency order
# (crc32c before jbd2/ext4, which ask the crypto API for it instead of naming a module); mount
# /dev/vda on /mnt when there is one ('init: /dev/vda mounted on /mnt'); exec sh. 'umount /mnt'
# then 'poweroff -f' ends a run with a clean file system.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="" signed=no
while [ $# -gt 0 ]; do
  case "$1" in
    --signed) signed=yes ;;
    -*) echo "linux-initramfs: unknown option $1" >&2; exit 2 ;;
    *) out="$1" ;;
  esac
  shift
done
[ -n "$out" ] || { echo "usage: scripts/linux-initramfs.sh OUT.cpio [--signed]" >&2; exit 2; }
. "$here/scripts/linux-files.sh"
kmods=$(ls -d "$root"/usr/lib/modules/*/kernel | head -n 1)
# Dependency order (each module's modinfo 'depends' and 'softdep' fields).
modules="crypto/crc32c_generic lib/crc16 fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4 drivers/virtio/virtio_mmio
         drivers/block/virtio_blk"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fs="$work/rootfs"
mkdir -p "$fs/bin" "$fs/proc" "$fs/sys" "$fs/dev" "$fs/mnt" "$fs/lib/modules"
cp "$root/usr/bin/busybox" "$fs/bin/busybox"
names=""
for m in $modules; do
  name=$(basename "$m")
  xz -dc "$kmods/$m.ko.xz" > "$fs/lib/modules/$name.ko"
  if [ "$signed" = no ]; then
    # Appended signature: ... sig, struct module_signature (12 bytes, big-endian sig_len last), marker.
    f="$fs/lib/modules/$name.ko"
    size=$(stat -c %s "$f")
    if [ "$(tail -c 28 "$f")" = "~Module signature appended~" ]; then
      read -r b0 b1 b2 b3 < <(od -An -tu1 -j $((size - 32)) -N 4 "$f")
      truncate -s $((size - 28 - 12 - ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3))) "$f"
    fi
  fi
  names="$names $name"
done
cat > "$fs/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in$names; do insmod /lib/modules/\$m.ko || echo "init: insmod \$m failed"; done
if [ -b /dev/vda ]; then
  mount -t ext4 /dev/vda /mnt && echo "init: /dev/vda mounted on /mnt"
fi
echo "init: busybox shell on \$(uname -r), \$(grep -c ^processor /proc/cpuinfo) harts"
exec sh
INIT
chmod +x "$fs/init"
find "$fs" -exec touch -h -d @0 {} +
(cd "$fs" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible 2> /dev/null > "$work/initrd.cpio")
mv "$work/initrd.cpio" "$out"
