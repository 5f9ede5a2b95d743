#!/usr/bin/env bash
# Boots Debian 13's riscv64 Linux kernel with OpenSBI fw_dynamic and a busybox initramfs, as QEMU's
# '-bios fw_dynamic.bin -kernel Image -initrd initrd -append console=ttyS0' does: on Rewind
# (default) or on QEMU 7.2 (--qemu: with -icount shift=0; --qemu-no-icount: without). The kernel
# and busybox come from scripts/fetch-riscv64-packages.sh's cache; the initramfs (/init: busybox
# --install, mount proc and sys, print a line, exec sh) is built in a temporary folder.
#   scripts/boot-linux.sh [--qemu|--qemu-no-icount|--qemu-rr record|replay FILE] [--record RUN.rrlog] [--smp N]
#                         [more rewind options, e.g. --max-insns 3G --stats --rtc base=2026-01-01,clock=vm]
# --smp N: N harts (OpenSBI starts the secondaries through HSM; the kernel brings them up with IPIs).
# --record: 'rewind record' instead of 'rewind run' ('rewind replay RUN.rrlog' replays it exactly;
# the initramfs stays beside it as RUN.initrd.cpio.gz, the kernel and firmware where they are).
# --qemu-rr MODE FILE: QEMU 7.2's record/replay, -icount shift=0,rr=MODE,rrfile=FILE (and -net none).
# On Rewind (RV64IMAFDC) the kernel reaches the busybox shell after ~1.2e9 instructions on one
# hart (0.92 s of virtual time to /init); 'poweroff -f' ends the run through OpenSBI and the test
# finisher. Typed input (stdin) reaches the shell; scripts/linux-smp.sh types commands, records,
# replays and compares with QEMU.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
qemu=no icount=(-icount shift=0) record="" smp=1 rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --qemu) qemu=yes ;;
    --qemu-no-icount) qemu=yes; icount=() ;;
    --qemu-rr) qemu=yes; icount=(-icount "shift=0,rr=$2,rrfile=$3" -net none); shift 2 ;;
    --record) record="$2"; shift ;;
    --smp) smp="$2"; shift ;;
    *) rest+=("$1") ;;
  esac
  shift
done
. "$here/scripts/linux-files.sh"
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
initrd="$work/initrd.cpio.gz"
# A recording names its boot files and the replay reads them: keep the initrd beside it.
[ -n "$record" ] && initrd="${record%.rrlog}.initrd.cpio.gz"
# Same bytes on every build (fixed times, no gzip name/time): a replay may rebuild it.
find "$work/rootfs" -exec touch -h -d @0 {} +
(cd "$work/rootfs" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible 2> /dev/null | gzip -n > "$initrd")
if [ "$qemu" = yes ]; then
  qemu-system-riscv64 -M virt -m 512M -smp "$smp" "${icount[@]}" -display none -monitor none -serial stdio \
    -bios "$fw" -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 earlycon=sbi"
  exit
fi
verb=(run)
[ -n "$record" ] && verb=(record --rrfile "$record")
"$here/rewind" "${verb[@]}" --smp "$smp" --ram 512M --bios "$fw" --kernel "$kernel" --initrd "$initrd" \
  --append "console=ttyS0 earlycon=sbi" ${rest[@]+"${rest[@]}"}
