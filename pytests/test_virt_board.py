"""The virt board's user-created devices and run control, on emu and QEMU.

Every test here runs the same command line on emu and on Debian's
qemu-system-riscv64 (EMU_BINARY selects it, see docs/testing.md) and expects
the same result, except test_device_tree_matches_qemu, which compares the two
directly (testing/compare-dtb.py).

Bare-metal guests are assembled at test time (emutest.guests) so the
property each test checks is visible in the test.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from emutest import is_qemu, scaled
from emutest.plugin import build_guest

REPO = Path(__file__).resolve().parent.parent
QEMU = Path("/usr/bin/qemu-system-riscv64")

# Prints 'A', powers off through sifive_test, then would print 'X' forever.
# The run must end at the poweroff store: no 'X' may appear.
POWEROFF_THEN_PRINT = """
    .section .text
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park
    li      s0, 0x10000000      # uart0 THR
    li      t1, 'A'
    sb      t1, 0(s0)
    li      t1, 0x100000        # sifive_test
    li      t2, 0x5555          # pass: power off
    sw      t2, 0(t1)
    li      t1, 'X'
after:
    sb      t1, 0(s0)
    j       after
park:
    wfi
    j       park
"""

# Prints the virtio-mmio DeviceID (offset 0x8) of slots 0..7 as one digit
# each (0 = empty, 2 = block, 4 = entropy), then a newline, and powers off.
PRINT_VIRTIO_SLOTS = """
    .section .text
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park
    li      s0, 0x10000000      # uart0 THR
    li      s1, 0x10001008      # slot 0 DeviceID
    li      s2, 8
slot:
    lw      t1, 0(s1)
    addi    t1, t1, '0'
    sb      t1, 0(s0)
    li      t2, 0x1000
    add     s1, s1, t2
    addi    s2, s2, -1
    bnez    s2, slot
    li      t1, '\\n'
    sb      t1, 0(s0)
    li      t1, 0x100000
    li      t2, 0x5555
    sw      t2, 0(t1)
park:
    wfi
    j       park
"""


@pytest.fixture(scope="module")
def poweroff_guest(tmp_path_factory):
    return build_guest(tmp_path_factory, POWEROFF_THEN_PRINT, "poweroff")


@pytest.fixture(scope="module")
def slots_guest(tmp_path_factory):
    return build_guest(tmp_path_factory, PRINT_VIRTIO_SLOTS, "slots")


@pytest.fixture
def disk(tmp_path):
    path = tmp_path / "disk.img"
    path.write_bytes(bytes(range(256)) * 256)  # 64 KiB
    return path


def run(binary, *args, timeout=30):
    return subprocess.run([str(binary), "-M", "virt", "-nographic", *map(str, args)],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=scaled(timeout))


def test_poweroff_store_ends_the_run_at_once(emu_binary, poweroff_guest):
    result = run(emu_binary, "-bios", "none", "-kernel", poweroff_guest)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"A"  # nothing the hart would have run after the store


@pytest.mark.parametrize("devices, slots", [
    ([], "00000000"),
    (["-device", "virtio-rng-device"], "00000004"),
    (["-device", "virtio-blk-device,drive=d0", "-device", "virtio-rng-device"], "00000042"),
    (["-device", "virtio-rng-device", "-device", "virtio-blk-device,drive=d0", "-device", "virtio-rng-device"],
     "00000424"),
], ids=["none", "rng", "blk-rng", "rng-blk-rng"])
def test_virtio_devices_fill_slots_from_the_top(emu_binary, slots_guest, disk, devices, slots):
    drive = ["-drive", f"file={disk},format=raw,if=none,id=d0"]
    result = run(emu_binary, "-bios", "none", "-kernel", slots_guest, *drive, *devices)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == slots


def test_if_virtio_drive_gets_a_virtio_mmio_slot_on_emu(emu_binary, slots_guest, disk):
    """QEMU 7.2 makes if=virtio a virtio-blk-pci; emu has no PCI and uses the next free slot."""
    if is_qemu(emu_binary):
        pytest.xfail("QEMU puts if=virtio drives on PCI (a documented difference)")
    result = run(emu_binary, "-bios", "none", "-kernel", slots_guest, "-device", "virtio-rng-device",
                 "-drive", f"file={disk},format=raw,if=virtio")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == "00000024"


def one_line_error(result):
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    lines = stderr.strip("\n").split("\n")
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("args, fragments", [
    (["-bios", "/nonexistent/firmware.bin"], ["firmware", "/nonexistent/firmware.bin"]),
    (["-device", "no-such-device"], ["-device no-such-device", "'no-such-device' is not a valid device model name"]),
    (["-drive", "file={disk},format=qcow3,if=none,id=d0"], ["format=qcow3", "Unknown driver 'qcow3'"]),
    (["-drive", "file=/nonexistent/disk.img,format=raw,if=none,id=d0"], ["/nonexistent/disk.img"]),
    (["-drive", "file={disk},format=raw,if=none,id=d0,readonly=maybe"], ["readonly=maybe", "'on' or 'off'"]),
    (["-device", "virtio-blk-device"], ["-device virtio-blk-device", "drive property not set"]),
    (["-device", "virtio-blk-device,drive=zz"], ["can't find value 'zz'"]),
    (["-drive", "file={disk},format=raw,if=none,id=d0", "-device", "virtio-blk-device,drive=d0",
      "-device", "virtio-blk-device,drive=d0"], ["Drive 'd0' is already in use"]),
], ids=["missing-firmware", "unknown-device", "bad-format", "missing-disk", "bad-readonly", "blk-without-drive",
        "blk-unknown-drive", "drive-used-twice"])
def test_bad_devices_and_files_fail_with_one_line(emu_binary, disk, args, fragments):
    args = [arg.replace("{disk}", str(disk)) for arg in args]
    line = one_line_error(run(emu_binary, *args))
    for fragment in fragments:
        assert fragment.lower() in line.lower(), line


def test_kernel_too_big_for_ram_fails_with_one_line(emu_binary, tmp_path):
    kernel = tmp_path / "huge-kernel.bin"
    with open(kernel, "wb") as file:
        file.truncate(300 << 20)  # sparse: 300 MiB of zeros, more than -m 256M holds
    line = one_line_error(run(emu_binary, "-m", "256M", "-kernel", kernel))
    assert "kernel" in line, line


def test_blk_help_lists_properties(emu_binary):
    result = subprocess.run([str(emu_binary), "-device", "virtio-blk-device,help"], capture_output=True,
                            timeout=scaled(30))
    assert result.returncode == 0
    text = result.stdout.decode()
    assert text.startswith("virtio-blk-device options:\n")
    assert "drive=<str>" in text and "serial=<str>" in text


@pytest.mark.parametrize("memory", ["256M", "1G"])
def test_device_tree_matches_qemu(emu_binary, memory):
    """emu's generated tree equals QEMU 7.2's, normalised (testing/compare-dtb.py)."""
    if is_qemu(emu_binary):
        pytest.xfail("compares emu with QEMU; nothing to do when QEMU is the binary under test")
    result = subprocess.run([sys.executable, str(REPO / "testing" / "compare-dtb.py"), "--emu", str(emu_binary),
                             "--qemu", str(QEMU), "--smp", "1,2", "-m", memory,
                             "--variants", "plain,append,both,virtio"],
                            capture_output=True, timeout=scaled(120))
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert result.stdout.decode().count("same: ") == 8
