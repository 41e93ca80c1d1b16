#!/usr/bin/python3
"""Replay log growth per minute, emu vs qemu-system-riscv64 (a benchmark, not a test).

Records OpenSBI + Linux + initramfs under `-icount shift=0,rr=record` for
--seconds of wall time in two sessions per emulator:

  idle         nothing typed after boot (the guest sits in its idle loop)
  interactive  a user typing `echo line N` at the prompt every --interval
               seconds

and prints log bytes, bytes per minute of wall time, and (emu) checkpoints
and input records from `emu-replay info`. The recording ends with SIGTERM,
which both emulators treat as a host shutdown that closes the log.

    testing/bench/replay_log_growth.py [--emu build/emu-system-riscv64] [--qemu /usr/bin/qemu-system-riscv64]
                                       [--seconds 60] [--interval 2] [--images ~/.cache/emu/guest-images]

Only Python's standard library is used.
"""

import argparse
import os
import select
import signal
import subprocess
import tempfile
import time
from pathlib import Path


def record_session(command, seconds, interval):
    """Runs `command` for `seconds`, typing a line every `interval` s once the prompt shows (interval 0: never)."""
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    start = time.monotonic()
    output = b""
    prompt_seen = False
    typed = 0
    next_typing = 0.0
    while time.monotonic() - start < seconds:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            output += chunk
            prompt_seen = prompt_seen or b"emu-init# " in output
        now = time.monotonic()
        if interval and prompt_seen and now >= next_typing:
            typed += 1
            process.stdin.write(f"echo line {typed}\n".encode())
            process.stdin.flush()
            next_typing = now + interval
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return typed, prompt_seen


def emu_log_summary(emu, log):
    tool = Path(emu).parent / "emu-replay"
    info = subprocess.run([tool, "info", log], capture_output=True, text=True)
    if info.returncode != 0:
        return "emu-replay info failed: " + info.stderr.strip()
    fields = {}
    for line in info.stdout.splitlines():
        if line.startswith("checkpoints:"):
            fields["checkpoints"] = line.split()[1]
        elif line.startswith("inputs:") and "serial" in line:
            fields["serial inputs"] = line.split()[2]
        elif line.startswith("end:"):
            fields["icount"] = line.split()[2].rstrip(",")
    return ", ".join(f"{key} {value}" for key, value in fields.items())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emu", default="build/emu-system-riscv64")
    parser.add_argument("--qemu", default="/usr/bin/qemu-system-riscv64")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--images", default=os.path.expanduser("~/.cache/emu/guest-images"))
    options = parser.parse_args()
    images = Path(options.images)
    guest = ["-M", "virt", "-m", "256M", "-kernel", str(images / "linux/Image"),
             "-initrd", str(images / "linux-initramfs/initramfs.cpio"), "-append", "console=ttyS0",
             "-display", "none", "-serial", "stdio", "-monitor", "none"]
    print(f"{'emulator':8} {'session':12} {'log bytes':>11} {'bytes/min':>11}  typed  details")
    with tempfile.TemporaryDirectory() as scratch:
        for name, binary in (("emu", options.emu), ("qemu", options.qemu)):
            for session, interval in (("idle", 0.0), ("interactive", options.interval)):
                log = Path(scratch) / f"{name}-{session}.rr"
                command = [binary] + guest + ["-icount", f"shift=0,rr=record,rrfile={log}"]
                typed, prompt_seen = record_session(command, options.seconds, interval)
                size = log.stat().st_size if log.exists() else 0
                per_minute = size * 60.0 / options.seconds
                details = emu_log_summary(binary, log) if name == "emu" else ""
                if not prompt_seen:
                    details = (details + "; " if details else "") + "prompt not reached"
                print(f"{name:8} {session:12} {size:11d} {per_minute:11.0f}  {typed:5d}  {details}", flush=True)


if __name__ == "__main__":
    main()
