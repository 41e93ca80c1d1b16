"""Tiny bare-metal guests built at test time, and reading ELF load segments.

Some monitor tests need a guest with one observable property (a register
that keeps counting, say). Building it from a few lines of assembly with
Debian's riscv64-unknown-elf-gcc keeps the property visible in the test
itself. A missing compiler is an error, not a skip (see images.py).
"""

import shutil
import struct
import subprocess
from pathlib import Path

from . import config

CROSS_COMPILER = "riscv64-unknown-elf-gcc"
DRAM_BASE = 0x80000000  # virt board RAM; where -bios none -kernel ELF code is linked

# Hart 0 counts in a0 forever (a0 and pc change while the VM runs, and only
# then); other harts park in wfi.
COUNTER_SOURCE = """
    .section .text
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park
    li      a0, 0
count:
    addi    a0, a0, 1
    j       count
park:
    wfi
    j       park
"""


class GuestBuildError(RuntimeError):
    pass


def build_bare_metal_elf(source: str, output: Path, *, link_address: int = DRAM_BASE) -> Path:
    """Assembles `source` (GNU as syntax, RV64GC) into a static ELF linked at link_address."""
    compiler = shutil.which(CROSS_COMPILER)
    if compiler is None:
        raise GuestBuildError(f"{CROSS_COMPILER} not found (Debian package gcc-riscv64-unknown-elf)")
    output = Path(output)
    assembly = output.with_suffix(".S")
    assembly.write_text(source)
    # -N: one segment starting exactly at link_address (no page-aligned headers below RAM).
    command = [compiler, "-march=rv64gc", "-mabi=lp64d", "-nostdlib", "-nostartfiles", "-static",
               f"-Wl,-Ttext=0x{link_address:x}", "-Wl,-N", "-Wl,--no-warn-rwx-segments",
               "-o", str(output), str(assembly)]
    result = subprocess.run(command, capture_output=True, timeout=config.scaled(60))
    if result.returncode != 0:
        raise GuestBuildError(f"{' '.join(command)} failed:\n{result.stderr.decode(errors='replace')}")
    return output


def elf_load_segments(path):
    """[(physical address, bytes in the file)] of an ELF64 little-endian file's PT_LOAD segments."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError(f"{path} is not a little-endian ELF64 file")
    program_header_offset, = struct.unpack_from("<Q", data, 0x20)
    entry_size, entry_count = struct.unpack_from("<HH", data, 0x36)
    segments = []
    for index in range(entry_count):
        base = program_header_offset + index * entry_size
        segment_type, _flags, offset, _vaddr, paddr, file_size = struct.unpack_from("<IIQQQQ", data, base)
        if segment_type == 1 and file_size > 0:  # PT_LOAD
            segments.append((paddr, data[offset:offset + file_size]))
    return segments
