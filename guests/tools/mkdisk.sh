#!/bin/sh
# Creates the 1 MiB raw disk the blk guest expects: sectors 0..7 start with the
# text "REWIND DISK SECTOR n\n", everything else is zero.
set -e
out="$1"
[ -n "$out" ] || { echo "usage: mkdisk.sh OUT.img" >&2; exit 2; }
rm -f "$out"
dd if=/dev/zero of="$out" bs=512 count=2048 2>/dev/null
for s in 0 1 2 3 4 5 6 7; do
  printf 'REWIND DISK SECTOR %d\n' "$s" | dd of="$out" bs=512 seek="$s" conv=notrunc 2>/dev/null
done
