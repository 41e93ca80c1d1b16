#!/usr/bin/env bash
# Builds every guest image used by `make run` and `make test` into a cache
# directory outside the clone (argument 1). Each image's build script is
# incremental, so this is quick when nothing changed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:-$HOME/.cache/emu/guest-images}"
mkdir -p "$cache"
"$here/build-demo.sh" "$cache/demo"
"$here/build-isa-tests.sh" "$cache/isa"
"$here/build-bench.sh" "$cache/bench"  # testing/bench/run-bench.py (make bench)
# Linux: the kernel build is cached by recipe hash (minutes the first time on
# a machine, instant afterwards); the initramfs is rebuilt when init.c changes.
"$here/linux/build-kernel.sh" "$cache/linux"
"$here/linux/build-initramfs.sh" "$cache/linux-initramfs" "$cache/linux"
