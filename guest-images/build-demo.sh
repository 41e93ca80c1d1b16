#!/usr/bin/env bash
# Builds the bare-metal demo (guest-images/demo/) into OUTPUT_DIR
# (default guest-images/out/demo): demo.elf, demo.bin (raw image for
# -kernel/-bios at 0x80000000) and demo.dump (disassembly).
#
#   guest-images/build-demo.sh [OUTPUT_DIR]
#
# Incremental: nothing is rebuilt when the sources are older than demo.elf.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$here/demo"
output_dir="${1:-$here/out/demo}"
mkdir -p "$output_dir"
compiler="${RISCV_CC:-riscv64-unknown-elf-gcc}"
objcopy="${RISCV_OBJCOPY:-riscv64-unknown-elf-objcopy}"
objdump="${RISCV_OBJDUMP:-riscv64-unknown-elf-objdump}"
if ! command -v "$compiler" >/dev/null; then
  echo "build-demo.sh: $compiler not found (Debian: gcc-riscv64-unknown-elf)" >&2
  exit 1
fi
elf="$output_dir/demo.elf"
sources=("$source_dir/crt.S" "$source_dir/demo.c" "$source_dir/demo.ld" "$0")
if [ -e "$elf" ]; then
  stale=0
  for source in "${sources[@]}"; do
    [ "$source" -nt "$elf" ] && stale=1
  done
  [ "$stale" = 0 ] && exit 0
fi
"$compiler" -march=rv64gc -mabi=lp64d -mcmodel=medany -std=c11 -O2 -Wall -Wextra -Werror \
  -ffreestanding -fno-builtin -nostdlib -nostartfiles -static \
  -Wl,--no-warn-rwx-segments -T "$source_dir/demo.ld" \
  -o "$elf.tmp" "$source_dir/crt.S" "$source_dir/demo.c"
"$objcopy" -O binary "$elf.tmp" "$output_dir/demo.bin"
"$objdump" -d "$elf.tmp" > "$output_dir/demo.dump"
mv "$elf.tmp" "$elf"
