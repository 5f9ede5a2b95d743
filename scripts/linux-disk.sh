#!/usr/bin/env bash
# Debian 13's riscv64 Linux with an ext4 file system on a qcow2 disk (issue 15): OpenSBI
# fw_dynamic + the kernel + scripts/linux-initramfs.sh's initramfs, whose /init loads the kernel's
# own virtio_blk and ext4 modules and mounts the disk on /mnt before the busybox shell starts.
# What you write under /mnt is on the disk in the next run ('umount /mnt' and 'poweroff -f' end a
# run with a clean file system; 'sync' is enough to keep what was written).
#   scripts/linux-disk.sh [--disk D.qcow2] [--size 64M] [--smp N] [--record RUN.rrlog]
#                         [--qemu|--qemu-no-icount] [--signed] [more rewind options, e.g. --max-insns 3G --stats]
# --disk: the image (default linux-disk.qcow2 here); made if missing: mkfs.ext4 on a raw file of
#   --size, converted to qcow2. The guest sees it as QEMU's -drive file=D.qcow2,format=qcow2,if=none,id=hd0
#   -device virtio-blk-device,drive=hd0 (virtio-mmio slot 0, /dev/vda).
# --record: 'rewind record' starting from an internal snapshot of the disk named after the recording
#   (the replay reads the disk as it was then, whatever later runs wrote); 'rewind replay RUN.rrlog'
#   replays it. The initramfs stays beside it as RUN.initrd.cpio.
# --qemu / --qemu-no-icount: the same boot on QEMU 7.2 (with / without -icount shift=0).
# --signed: keep the modules' signatures (checking them costs the guest ~1.3e9 instructions).
# Afterwards 'qemu-img check' reports on the image. The kernel command line has cryptomgr.notests:
# the crypto self-tests cost about half of the boot's instructions (0.8 -> 0.47 s to /init on QEMU).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
disk="linux-disk.qcow2" size=64M smp=1 record="" qemu=no icount=(-icount shift=0) signed=() rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --disk) disk="$2"; shift ;;
    --size) size="$2"; shift ;;
    --smp) smp="$2"; shift ;;
    --record) record="$2"; shift ;;
    --qemu) qemu=yes ;;
    --qemu-no-icount) qemu=yes; icount=() ;;
    --signed) signed=(--signed) ;;
    *) rest+=("$1") ;;
  esac
  shift
done
. "$here/scripts/linux-files.sh"
mkfs=$(PATH="$PATH:/usr/sbin:/sbin" command -v mkfs.ext4 || true)
if [ ! -f "$disk" ]; then
  [ -n "$mkfs" ] || { echo "no mkfs.ext4 to make $disk: apt-get install e2fsprogs" >&2; exit 2; }
  raw="$(mktemp)"
  # Inode tables and journal zeroed now, on the host, not by the guest's ext4lazyinit thread.
  "$mkfs" -q -F -L rewind -E lazy_itable_init=0,lazy_journal_init=0 "$raw" "$size"
  if command -v qemu-img > /dev/null; then
    qemu-img convert -f raw -O qcow2 "$raw" "$disk"
  else
    "$here/rewind" img convert -f raw -O qcow2 "$raw" "$disk"
  fi
  rm -f "$raw"
  echo "linux-disk: made $disk ($size, ext4)" >&2
fi
initrd="$(mktemp --suffix=.cpio)"
trap 'rm -f "$initrd"' EXIT
[ -n "$record" ] && { initrd="${record%.rrlog}.initrd.cpio"; trap - EXIT; }
"$here/scripts/linux-initramfs.sh" "$initrd" ${signed[@]+"${signed[@]}"}
append="console=ttyS0 cryptomgr.notests"
rc=0
if [ "$qemu" = yes ]; then
  qemu-system-riscv64 -M virt -m 256M -smp "$smp" "${icount[@]}" -display none -monitor none -serial stdio \
    -bios "$fw" -kernel "$kernel" -initrd "$initrd" -append "$append" \
    -global virtio-mmio.force-legacy=false \
    -drive "file=$disk,format=qcow2,if=none,id=hd0" -device virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0 || rc=$?
else
  verb=(run)
  [ -n "$record" ] && verb=(record --rrfile "$record" --snapshot "$(basename "${record%.rrlog}")")
  "$here/rewind" "${verb[@]}" --smp "$smp" --ram 256M --bios "$fw" --kernel "$kernel" --initrd "$initrd" \
    --append "$append" --disk "$disk" ${rest[@]+"${rest[@]}"} || rc=$?
fi
if command -v qemu-img > /dev/null; then
  qemu-img check "$disk" >&2 || rc=$?
fi
exit $rc
