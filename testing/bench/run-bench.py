#!/usr/bin/python3
"""Wall time of guest workloads on emu's two engines and on QEMU (a benchmark, not a test).

Workloads: the bare-metal programs of guest-images/bench (built by
guest-images/build-bench.sh into GUEST_CACHE/bench; each prints
"bench NAME checksum X" and powers off) and a Linux boot to init's
"emu-init: ready" marker. Each runs under four configurations with the same
machine options:

  jit          emu, -accel tcg (the JIT, the default)
  interpreter  emu, -accel tcg,jit=off
  qemu         qemu-system-riscv64, plain TCG
  qemu-icount  qemu-system-riscv64 -icount shift=0 (exact instruction
               counting, which QEMU's record/replay needs; emu always counts)

Runs are interleaved (jit, interpreter, qemu, qemu-icount, jit, ...) so all
see the same host load; the table shows the median of --runs runs (default
5) in seconds and the ratios qemu/jit (above 1: the JIT is faster than plain
TCG) and qemu-icount/jit. A workload whose checksum line differs between
configurations is reported as an error: a wrong result is not a speed.

    testing/bench/run-bench.py [--emu build/emu-system-riscv64] [--runs 5]
                               [--images ~/.cache/emu/guest-images] [--only crc32,linux]

Only Python's standard library is used (make bench runs it).
"""

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from boot_time import time_to_marker  # noqa: E402  (the boot-time benchmark's marker timer)

BARE_METAL = ["crc32", "sort", "statemachine", "matmul", "search", "nbody", "linsolve", "memcopy"]
KINDS = {"crc32": "int", "sort": "int", "statemachine": "int", "matmul": "int", "search": "int",
         "nbody": "fp", "linsolve": "fp", "memcopy": "mem", "linux": "boot"}
CHECKSUM = re.compile(rb"bench (\S+) checksum ([0-9a-f]{16})")


def configurations(emu, qemu):
    return [("jit", [emu]), ("interpreter", [emu, "-accel", "tcg,jit=off"]),
            ("qemu", [qemu]), ("qemu-icount", [qemu, "-icount", "shift=0"])]


def run_bare_metal(command, elf, timeout):
    """Seconds from start to exit, and the checksum line (None if missing or the exit status is not 0)."""
    started = time.monotonic()
    result = subprocess.run(command + ["-M", "virt", "-m", "128M", "-bios", "none", "-nographic",
                                       "-kernel", str(elf)],
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    seconds = time.monotonic() - started
    match = CHECKSUM.search(result.stdout)
    if result.returncode != 0 or match is None:
        return seconds, None
    return seconds, match.group(0).decode()


def run_linux(command, images, timeout):
    arguments = ["-M", "virt", "-m", "256M", "-nographic", "-kernel", str(images / "linux" / "Image"),
                 "-initrd", str(images / "linux-initramfs" / "initramfs.cpio"), "-append", "console=ttyS0"]
    return time_to_marker(command + arguments, "emu-init: ready", timeout=timeout), "emu-init: ready"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    repo = Path(__file__).resolve().parents[2]
    parser.add_argument("--emu", default=str(repo / "build" / "emu-system-riscv64"))
    parser.add_argument("--qemu", default="/usr/bin/qemu-system-riscv64")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--images", default=str(Path.home() / ".cache" / "emu" / "guest-images"))
    parser.add_argument("--only", default="", help="comma-separated workloads (default: all, and linux)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    options = parser.parse_args(argv)

    images = Path(options.images)
    workloads = BARE_METAL + ["linux"]
    if options.only:
        workloads = [name for name in options.only.split(",") if name]
        unknown = [name for name in workloads if name not in KINDS]
        if unknown:
            parser.error(f"unknown workloads: {', '.join(unknown)} (choose from {', '.join(KINDS)})")
    for name in workloads:
        if name != "linux" and not (images / "bench" / f"{name}.elf").is_file():
            print(f"run-bench: {images / 'bench' / (name + '.elf')} missing (guest-images/build-bench.sh "
                  f"{images / 'bench'})", file=sys.stderr)
            return 1
    configs = configurations(options.emu, options.qemu)

    rows = []
    failures = []
    for name in workloads:
        times = {label: [] for label, _ in configs}
        outputs = {}
        for _ in range(options.runs):
            for label, command in configs:
                if name == "linux":
                    seconds, line = run_linux(command, images, options.timeout)
                else:
                    seconds, line = run_bare_metal(command, images / "bench" / f"{name}.elf", options.timeout)
                times[label].append(seconds)
                outputs.setdefault(label, set()).add(line)
        lines = set().union(*outputs.values())
        if None in lines or len(lines) != 1:
            failures.append(f"{name}: results differ or are missing: " +
                            "; ".join(f"{label} {sorted(map(str, seen))}" for label, seen in outputs.items()))
        medians = {label: statistics.median(values) for label, values in times.items()}
        rows.append((name, medians, times))
        print(f"  {name}: " + "  ".join(f"{label} {medians[label]:.3f}" for label, _ in configs), flush=True)

    print()
    print(f"wall seconds, median of {options.runs} interleaved runs; ratios above 1: the JIT is faster")
    header = f"{'workload':<13}{'kind':<6}" + "".join(f"{label:>13}" for label, _ in configs)
    print(header + f"{'qemu/jit':>10}{'qemu-icount/jit':>17}{'interp/jit':>12}")
    for name, medians, _ in rows:
        jit = medians["jit"]
        print(f"{name:<13}{KINDS[name]:<6}" + "".join(f"{medians[label]:13.3f}" for label, _ in configs) +
              f"{medians['qemu'] / jit:10.2f}{medians['qemu-icount'] / jit:17.2f}{medians['interpreter'] / jit:12.2f}")
    print()
    for name, _, times in rows:
        for label, _ in configs:
            print(f"  {name} {label}: " + " ".join(f"{value:.3f}" for value in times[label]))
    for failure in failures:
        print(f"run-bench: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
