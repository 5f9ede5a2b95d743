#!/usr/bin/env bash
# Boots Debian 13's riscv64 Linux kernel with OpenSBI fw_dynamic and a busybox initramfs on one
# hart, as QEMU's '-bios fw_dynamic.bin -kernel Image -initrd initrd -append console=ttyS0' does:
# on Rewind (default) or on QEMU 7.2 with -icount shift=0 (--qemu). The kernel and busybox come
# from scripts/fetch-riscv64-packages.sh's cache; the initramfs (/init: busybox --install, mount
# proc and sys, print a line, exec sh) is built in a temporary folder.
#   scripts/boot-linux.sh [--qemu] [more rewind run options, e.g. --max-insns 3G --stats]
# On Rewind (RV64IMAFDC) the kernel reaches the busybox shell after ~1.2e9 instructions (0.92 s of
# virtual time to /init); 'poweroff -f' ends the run through OpenSBI and the test finisher.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
qemu=no
[ "${1:-}" = --qemu ] && { qemu=yes; shift; }
cache="${REWIND_RISCV64_PACKAGES:-$("$here/scripts/fetch-riscv64-packages.sh")}"
root="$cache/root"
[ -d "$root" ] || root="$cache"
kernel=$(ls "$root"/boot/vmlinux-* | head -n 1)
fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
[ -f "$fw" ] || { echo "no $fw: apt-get install opensbi" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/bin" "$work/rootfs/proc" "$work/rootfs/sys" "$work/rootfs/dev"
cp "$root/usr/bin/busybox" "$work/rootfs/bin/busybox"
cat > "$work/rootfs/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "init: busybox shell on $(uname -r)"
exec sh
INIT
chmod +x "$work/rootfs/init"
(cd "$work/rootfs" && find . | cpio -o -H newc 2> /dev/null | gzip > "$work/initrd.cpio.gz")
if [ "$qemu" = yes ]; then
  qemu-system-riscv64 -M virt -m 512M -icount shift=0 -display none -monitor none -serial stdio \
    -bios "$fw" -kernel "$kernel" -initrd "$work/initrd.cpio.gz" -append "console=ttyS0 earlycon=sbi"
  exit
fi
"$here/rewind" run --ram 512M --bios "$fw" --kernel "$kernel" --initrd "$work/initrd.cpio.gz" \
  --append "console=ttyS0 earlycon=sbi" "$@"
