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

# Hart 0 prints "echo guest ready" and then echoes every byte the UART receives,
# lower-case letters turned upper-case (so the echo visibly went through the
# guest, not a terminal); other harts park in wfi. Polled, no interrupts.
ECHO_SOURCE = """
    .section .text
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park
    li      s0, 0x10000000      # uart0 (ns16550a): RBR/THR at +0, LSR at +5
    la      s1, banner
greet:
    lbu     a0, 0(s1)
    beqz    a0, echo
    jal     putc
    addi    s1, s1, 1
    j       greet
echo:
    lbu     t1, 5(s0)
    andi    t1, t1, 0x01        # LSR.DR: a byte was received
    beqz    t1, echo
    lbu     a0, 0(s0)
    li      t1, 'a'
    blt     a0, t1, send
    li      t1, 'z'
    bgt     a0, t1, send
    addi    a0, a0, -32
send:
    jal     putc
    j       echo
putc:
    lbu     t1, 5(s0)
    andi    t1, t1, 0x20        # LSR.THRE: room to send
    beqz    t1, putc
    sb      a0, 0(s0)
    ret
park:
    wfi
    j       park
banner:
    .asciz  "echo guest ready\\n"
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
