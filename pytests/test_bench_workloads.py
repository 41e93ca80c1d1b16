"""The benchmark workloads compute the same results on emu's JIT as on QEMU.

guest-images/bench holds real programs (CRC32, sorting, a state machine,
matrix multiply, string search, an n-body step, a linear solve, memory
copy; testing/bench/run-bench.py times them). Each prints "bench NAME
checksum X" over everything it computed and powers off. Here each runs on
emu with the JIT as configured by default (code reached 16 times is
translated), with jit-threshold=1 (everything translated at once) and on
Debian's qemu-system-riscv64 (the peer): the three checksum lines must be
equal. The JIT's unit tests compare it with the interpreter on random
instruction streams; these are long-running programs with hot loops,
register pressure and FP fast paths, where a code-generation bug shows up
as a wrong checksum or a hang (the timeout).

emu only (it runs QEMU itself as the reference).
"""

import re
import subprocess
from pathlib import Path

import pytest

from emutest import GuestImages, scaled

QEMU = Path("/usr/bin/qemu-system-riscv64")
WORKLOADS = ["crc32", "sort", "statemachine", "matmul", "search", "nbody", "linsolve", "memcopy"]
CHECKSUM = re.compile(r"bench (\S+) checksum ([0-9a-f]{16})")


def checksum_line(command, elf):
    result = subprocess.run([str(part) for part in command] +
                            ["-M", "virt", "-m", "128M", "-bios", "none", "-nographic", "-kernel", str(elf)],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=scaled(120))
    assert result.returncode == 0, result.stderr
    match = CHECKSUM.search(result.stdout)
    assert match is not None, result.stdout
    return match.group(0)


@pytest.mark.guest("bench")
@pytest.mark.parametrize("workload", WORKLOADS)
def test_workload_checksum_matches_qemu(emu_binary, workload):
    elf = GuestImages().bench(workload)
    expected = checksum_line([QEMU], elf)
    assert expected.startswith(f"bench {workload} checksum ")
    assert checksum_line([emu_binary], elf) == expected
    assert checksum_line([emu_binary, "-accel", "tcg,jit-threshold=1"], elf) == expected
