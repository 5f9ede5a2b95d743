# Sourced by the Linux scripts: where Debian 13's riscv64 packages (scripts/fetch-riscv64-packages.sh,
# fetched once; REWIND_RISCV64_PACKAGES overrides the cache) and OpenSBI's fw_dynamic are. Sets
# root (the unpacked packages), kernel (its Image) and fw; exits 2 when the firmware is missing.
cache="${REWIND_RISCV64_PACKAGES:-$("$here/scripts/fetch-riscv64-packages.sh")}"
root="$cache/root"
[ -d "$root" ] || root="$cache"
kernel=$(ls "$root"/boot/vmlinux-* | head -n 1)
fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
[ -f "$fw" ] || { echo "no $fw: apt-get install opensbi" >&2; exit 2; }
