#!/usr/bin/env bash
# Builds every libFuzzer target (clang 14, ASan + UBSan) and runs each for a
# bounded time. Any crash, leak or sanitizer report fails the run; the
# reproducer file is left in OUTPUT_DIR. Longer runs: FUZZ_SECONDS=3600.
#   usage: testing/run-fuzzers.sh OUTPUT_DIR
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: run-fuzzers.sh OUTPUT_DIR}"
seconds="${FUZZ_SECONDS:-20}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"  # the fuzzers run inside it, so every path must be absolute
compiler=(clang++)
command -v ccache >/dev/null && compiler=(ccache clang++)
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I"$repo")

build() {  # name, sources...
  local name=$1; shift
  (cd "$repo" && "${compiler[@]}" "${flags[@]}" "$@" -o "$out/$name")
}
build qmp_fuzz emu/core/*.cpp emu/target/riscv/*.cpp emu/monitor/*.cpp testing/fuzz/qmp_fuzz.cpp -lxxhash
build virtqueue_fuzz emu/core/*.cpp emu/hw/virtio/*.cpp emu/block/*.cpp testing/fuzz/virtqueue_fuzz.cpp
build replay_log_fuzz emu/replay/replay_log.cpp testing/fuzz/replay_log_fuzz.cpp -lxxhash

status=0
for fuzzer in qmp_fuzz virtqueue_fuzz replay_log_fuzz; do
  corpus="$out/$fuzzer-corpus"
  rm -rf "$corpus" && mkdir -p "$corpus"
  if (cd "$out" && "./$fuzzer" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$corpus" > "$fuzzer.log" 2>&1); then
    echo "fuzz: $fuzzer: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$out/$fuzzer.log"), no crash"
  else
    echo "fuzz: $fuzzer FAILED; log: $out/$fuzzer.log"; tail -30 "$out/$fuzzer.log"
    status=1
  fi
done
exit $status
