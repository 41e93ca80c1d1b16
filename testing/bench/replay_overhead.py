#!/usr/bin/python3
"""Record/replay cost, emu vs qemu-system-riscv64 (a benchmark, not a test).

Workload: OpenSBI + Linux + initramfs (-append console=ttyS0) booted to
init's prompt, `work N` typed, then `poweroff`; the serial port is stdio.
For each emulator the same session runs three ways (interleaved, --runs
times each, medians):

  plain    no record/replay (emu: its default exact icount; qemu: -icount shift=0)
  record   -icount shift=0,rr=record,rrfile=LOG
  replay   -icount shift=0,rr=replay,rrfile=LOG (the typed input comes from the log)

It prints wall times, record/plain (the cost of recording), replay/record
and the log size; then the same three ways for bare-metal CPU workloads
from guest-images/bench (--bench, default crc32 and sort: no input at all,
so the cost is the recorder's checkpoints alone). QEMU replays need the same command line; a QEMU run that
fails is reported as such, not timed.

    testing/bench/replay_overhead.py [--emu build/emu-system-riscv64] [--qemu /usr/bin/qemu-system-riscv64]
                                     [--runs 3] [--work 3000] [--images ~/.cache/emu/guest-images]
                                     [--emu-extra ARGS]

Only Python's standard library is used.
"""

import argparse
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_session(command, work, typing, timeout=600.0):
    """Seconds from spawn to exit; types the session's commands if `typing`. Returns (seconds, ok)."""
    start = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output = b""
    script = [(b"emu-init# ", f"work {work}\n".encode()), (b"result ", None), (b"emu-init# ", b"poweroff\n")]
    step = 0
    while True:
        if time.monotonic() - start > timeout:
            process.kill()
            process.wait()
            return time.monotonic() - start, False
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            output += chunk
            while typing and step < len(script) and script[step][0] in output:
                marker, text = script[step]
                output = output[output.index(marker) + len(marker):]
                if text:
                    process.stdin.write(text)
                    process.stdin.flush()
                step += 1
    status = process.wait()
    elapsed = time.monotonic() - start
    return elapsed, status == 0 and (not typing or step == len(script))


def cell(seconds):
    """A table cell: seconds, or 'failed' for a run that did not complete."""
    return f"{seconds:8.2f}" if seconds is not None else f"{'failed':>8}"


def ratio(a, b):
    return f"{a / b:10.2f}" if a is not None and b else f"{'-':>10}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    repo = Path(__file__).resolve().parents[2]
    parser.add_argument("--emu", default=str(repo / "build" / "emu-system-riscv64"))
    parser.add_argument("--qemu", default="/usr/bin/qemu-system-riscv64")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=int, default=3000)
    parser.add_argument("--images", default=os.path.expanduser("~/.cache/emu/guest-images"))
    parser.add_argument("--bench", default="crc32,sort", help="guest-images/bench workloads to run bare-metal ('' for none)")
    parser.add_argument("--emu-extra", default="", help="extra arguments for emu only (e.g. '-accel tcg,jit=off')")
    options = parser.parse_args()

    images = Path(options.images)
    base = ["-M", "virt", "-m", "256M", "-kernel", str(images / "linux" / "Image"),
            "-initrd", str(images / "linux-initramfs" / "initramfs.cpio"), "-append", "console=ttyS0",
            "-display", "none", "-serial", "stdio", "-monitor", "none"]
    emulators = {"emu": [options.emu] + base + options.emu_extra.split(), "qemu": [options.qemu] + base}
    times = {(name, mode): [] for name in emulators for mode in ("plain", "record", "replay")}
    failures = {}
    sizes = {}
    with tempfile.TemporaryDirectory() as directory:
        for run in range(options.runs):
            for name, command in emulators.items():
                log = Path(directory) / f"{name}-{run}.rr"
                modes = {"plain": ["-icount", "shift=0"] if name == "qemu" else [],
                         "record": ["-icount", f"shift=0,rr=record,rrfile={log}"],
                         "replay": ["-icount", f"shift=0,rr=replay,rrfile={log}"]}
                for mode, extra in modes.items():
                    if (name, "record") in failures and mode == "replay":
                        continue
                    seconds, ok = run_session(command + extra, options.work, typing=mode != "replay")
                    if not ok:
                        failures[(name, mode)] = f"{mode} run did not complete"
                        continue
                    times[(name, mode)].append(seconds)
                    if mode == "record":
                        sizes[name] = log.stat().st_size
                    print(f"run {run + 1}: {name:4} {mode:6} {seconds:7.2f} s", file=sys.stderr)

    def median(name, mode):
        values = times[(name, mode)]
        return statistics.median(values) if values else None

    print(f"Linux boot + work {options.work} + poweroff, median of {options.runs} (wall seconds)")
    print(f"{'':6} {'plain':>8} {'record':>8} {'replay':>8} {'rec/plain':>10} {'replay/rec':>11} {'log bytes':>10}")
    for name in emulators:
        plain, record, replay = (median(name, mode) for mode in ("plain", "record", "replay"))
        print(f"{name:6} {cell(plain)} {cell(record)} {cell(replay)} {ratio(record, plain)} {ratio(replay, record):>11}"
              f" {sizes.get(name, '-'):>10}")
    for (name, mode), why in failures.items():
        print(f"note: {name} {mode}: {why}")
    for workload in filter(None, options.bench.split(",")):
        bare_metal_table(options, images / "bench" / f"{workload}.elf")


def bare_metal_table(options, elf):
    """plain / record / replay of one bench workload (-bios none, exits through sifive_test)."""
    base = ["-M", "virt", "-m", "128M", "-bios", "none", "-display", "none", "-serial", "null", "-monitor", "none",
            "-kernel", str(elf)]
    emulators = {"emu": [options.emu] + base + options.emu_extra.split(), "qemu": [options.qemu] + base}
    times = {}
    with tempfile.TemporaryDirectory() as directory:
        for run in range(options.runs):
            for name, command in emulators.items():
                log = Path(directory) / f"{name}.rr"
                for mode, extra in (("plain", ["-icount", "shift=0"] if name == "qemu" else []),
                                    ("record", ["-icount", f"shift=0,rr=record,rrfile={log}"]),
                                    ("replay", ["-icount", f"shift=0,rr=replay,rrfile={log}"])):
                    start = time.monotonic()
                    ok = subprocess.run(command + extra, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        timeout=600).returncode == 0
                    times.setdefault((name, mode), []).append(time.monotonic() - start if ok else None)
    print(f"{elf.stem} (bare metal), median of {options.runs} (wall seconds)")
    print(f"{'':6} {'plain':>8} {'record':>8} {'replay':>8} {'rec/plain':>10} {'replay/rec':>11}")
    for name in emulators:
        values = [times[(name, mode)] for mode in ("plain", "record", "replay")]
        plain, record, replay = (statistics.median(v) if None not in v else None for v in values)
        print(f"{name:6} {cell(plain)} {cell(record)} {cell(replay)} {ratio(record, plain)} {ratio(replay, record):>11}")


if __name__ == "__main__":
    main()
