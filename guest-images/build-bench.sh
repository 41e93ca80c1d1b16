#!/usr/bin/env bash
# Builds the bare-metal benchmark workloads (guest-images/bench/) into
# OUTPUT_DIR (default guest-images/out/bench): one ELF per workload,
# <name>.elf, for testing/bench/run-bench.py. Each runs under
# `-M virt -bios none -kernel <name>.elf` on emu and QEMU alike.
#
#   guest-images/build-bench.sh [OUTPUT_DIR]
#
# Incremental: nothing is rebuilt when the sources are older than the ELFs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$here/bench"
output_dir="${1:-$here/out/bench}"
mkdir -p "$output_dir"
compiler="${RISCV_CC:-riscv64-unknown-elf-gcc}"
if ! command -v "$compiler" >/dev/null; then
  echo "build-bench.sh: $compiler not found (Debian: gcc-riscv64-unknown-elf)" >&2
  exit 1
fi
# The order is the index workloads.c's table uses (-DWORKLOAD=n).
names=(crc32 sort statemachine matmul search nbody linsolve memcopy)
sources=("$source_dir/crt.S" "$source_dir/workloads.c" "$source_dir/bench.ld" "$0")
for index in "${!names[@]}"; do
  elf="$output_dir/${names[$index]}.elf"
  if [ -e "$elf" ]; then
    stale=0
    for source in "${sources[@]}"; do
      [ "$source" -nt "$elf" ] && stale=1
    done
    [ "$stale" = 0 ] && continue
  fi
  # -fno-tree-loop-distribute-patterns: the fill/copy loops stay loops
  # (there is no memset/memcpy to call); -fno-math-errno: sqrt is fsqrt.d.
  "$compiler" -march=rv64gc -mabi=lp64d -mcmodel=medany -std=c11 -O2 -Wall -Wextra -Werror \
    -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -fno-math-errno \
    -nostdlib -nostartfiles -static -Wl,--no-warn-rwx-segments -T "$source_dir/bench.ld" \
    -DWORKLOAD="$index" -o "$elf.tmp" "$source_dir/crt.S" "$source_dir/workloads.c"
  mv "$elf.tmp" "$elf"
done
