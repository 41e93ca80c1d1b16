#!/usr/bin/env bash
# Builds the static init and packs it into a reproducible initramfs (newc cpio
# with /dev/console, fixed timestamps) using the kernel's gen_init_cpio.
#   usage: build-initramfs.sh OUTPUT_DIR KERNEL_DIR   -> OUTPUT_DIR/initramfs.cpio
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build-initramfs.sh OUTPUT_DIR KERNEL_DIR}"
kernel_dir="${2:?usage: build-initramfs.sh OUTPUT_DIR KERNEL_DIR}"
mkdir -p "$out"
key=$(cat "$here/build-initramfs.sh" "$here/init.c" "$kernel_dir/gen_init_cpio" | sha256sum | cut -c1-16)
if [ -f "$out/$key.done" ] && [ -f "$out/initramfs.cpio" ]; then exit 0; fi

riscv64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o "$out/init" "$here/init.c"
riscv64-linux-gnu-strip "$out/init"
cat > "$out/initramfs.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0555 0 0
dir /sys 0555 0 0
file /init $out/init 0755 0 0
LIST
"$kernel_dir/gen_init_cpio" -t 1672531200 "$out/initramfs.list" > "$out/initramfs.cpio"
rm -f "$out"/*.done && touch "$out/$key.done"
