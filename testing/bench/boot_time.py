#!/usr/bin/python3
"""Host wall time to boot, emu vs qemu-system-riscv64 (a benchmark, not a test).

Two workloads, each with the same command line on both emulators:
  uboot   OpenSBI + U-Boot (-kernel u-boot.bin): from process start until
          U-Boot's "=> " prompt (a newline is typed as soon as the autoboot
          countdown appears, so the time includes that key's round trip)
  linux   OpenSBI + Linux + initramfs (-append console=ttyS0): from process
          start until init prints "emu-init: ready"

Runs are interleaved (emu, qemu, emu, qemu, ...) so both see the same host
load; each emulator gets --runs runs per workload (default 5) and the table
shows the medians and the ratio emu/qemu (below 1: emu is faster).

    testing/bench/boot_time.py [--emu build/emu-system-riscv64] [--qemu /usr/bin/qemu-system-riscv64]
                               [--runs 5] [--images ~/.cache/emu/guest-images] [--smp 1] [--extra ARGS]
                               [--emu-extra ARGS]

Only Python's standard library is used.
"""

import argparse
import os
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"


def time_to_marker(command, marker, key_trigger=None, timeout=600.0):
    """Seconds from spawning `command` until `marker` appears on its stdout.

    If key_trigger appears first, a newline is typed (U-Boot's autoboot stop).
    """
    start = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen = b""
    typed = key_trigger is None
    try:
        while True:
            remaining = start + timeout - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"timed out waiting for {marker!r}: {' '.join(command)}")
            ready, _, _ = select.select([process.stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError(f"exited before {marker!r}: {' '.join(command)}\n{seen[-500:].decode(errors='replace')}")
            seen += chunk
            if not typed and key_trigger.encode() in seen:
                process.stdin.write(b"\n")
                process.stdin.flush()
                typed = True
                seen = seen[seen.index(key_trigger.encode()):]
            if typed and marker.encode() in seen:
                return time.monotonic() - start
    finally:
        process.kill()
        process.wait()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    repo = Path(__file__).resolve().parents[2]
    parser.add_argument("--emu", default=str(repo / "build" / "emu-system-riscv64"))
    parser.add_argument("--qemu", default="/usr/bin/qemu-system-riscv64")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--images", default=str(Path.home() / ".cache" / "emu" / "guest-images"))
    parser.add_argument("--smp", default="1")
    parser.add_argument("--extra", default="", help="more arguments for both emulators (space-separated)")
    parser.add_argument("--emu-extra", default="",
                        help="more arguments for emu only, e.g. '-accel tcg,jit=off' for the interpreter")
    options = parser.parse_args(argv)

    images = Path(options.images)
    common = ["-M", "virt", "-m", "256M", "-smp", options.smp, "-nographic"] + options.extra.split()
    workloads = [
        ("U-Boot prompt", common + ["-kernel", UBOOT], "\n=> ", "Hit any key to stop autoboot"),
        ("Linux init ready", common + ["-kernel", str(images / "linux" / "Image"),
                                       "-initrd", str(images / "linux-initramfs" / "initramfs.cpio"),
                                       "-append", "console=ttyS0"], "emu-init: ready", None),
    ]
    emulators = [("emu", options.emu), ("qemu", options.qemu)]
    rows = []
    for label, arguments, marker, trigger in workloads:
        times = {name: [] for name, _ in emulators}
        for _ in range(options.runs):
            for name, binary in emulators:
                own = options.emu_extra.split() if name == "emu" else []
                times[name].append(time_to_marker([binary] + own + arguments, marker, trigger))
        emu_median = statistics.median(times["emu"])
        qemu_median = statistics.median(times["qemu"])
        rows.append((label, emu_median, qemu_median, emu_median / qemu_median, times))

    print(f"boot time, host wall seconds, median of {options.runs} interleaved runs (-smp {options.smp}"
          + (f", emu {options.emu_extra}" if options.emu_extra else "") + ")")
    print(f"{'workload':<18} {'emu':>8} {'qemu':>8} {'emu/qemu':>9}")
    for label, emu_median, qemu_median, ratio, _ in rows:
        print(f"{label:<18} {emu_median:8.3f} {qemu_median:8.3f} {ratio:9.2f}")
    print()
    for label, _, _, _, times in rows:
        for name, _ in emulators:
            print(f"  {label} {name}: " + " ".join(f"{value:.3f}" for value in times[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
