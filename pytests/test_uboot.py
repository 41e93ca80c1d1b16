"""U-Boot (Debian's qemu-riscv64_smode, as -kernel under the default OpenSBI)
on the virt board: the prompt, a few commands, and reading a virtio-blk disk.

The same command lines run on emu and on QEMU 7.2 (EMU_BINARY selects the
binary; `make pytests` runs this module on both).
"""

import random
import re
import time
import zlib

import pytest

from emutest import GuestImages

PROMPT = "=> "
AUTOBOOT = "Hit any key to stop autoboot"
DISK_BYTES = 1 << 20  # 2048 sectors


@pytest.fixture
def disk(tmp_path):
    """1 MiB of seeded pseudo-random bytes (a checksum of zeros would prove little)."""
    path = tmp_path / "disk.img"
    path.write_bytes(random.Random(20230101).randbytes(DISK_BYTES))
    return path


def uboot_args(*extra):
    return ["-M", "virt", "-m", "256M", "-kernel", str(GuestImages().uboot), *extra]


def stop_autoboot(vm):
    vm.console.expect(AUTOBOOT, timeout=120)
    vm.console.send("\n")
    vm.console.expect(PROMPT, timeout=30)


def command(vm, line, timeout=30):
    """Types line at the prompt; returns what U-Boot printed up to the next prompt."""
    vm.console.send_line(line)
    found = vm.console.expect(re.compile(re.escape(line) + r"\r?\n(.*?)^" + re.escape(PROMPT), re.S | re.M), timeout=timeout)
    return found.group(1)


@pytest.mark.guest("opensbi", "uboot")
def test_prompt_answers_version_and_bdinfo(machine):
    vm = machine(uboot_args())
    stop_autoboot(vm)
    version = command(vm, "version")
    assert "U-Boot 2023.01" in version
    assert "riscv64-linux-gnu-gcc" in version
    bdinfo = command(vm, "bdinfo")
    assert "boot_params" in bdinfo
    assert "0x0000000080000000" in bdinfo  # DRAM bank start
    assert "0x0000000010000000" in bdinfo  # DRAM bank size: 256 MiB


@pytest.mark.guest("opensbi", "uboot")
def test_virtio_blk_disk_reads_back_its_crc32(machine, disk):
    vm = machine(uboot_args("-drive", f"file={disk},format=raw,if=none,id=d0",
                            "-device", "virtio-blk-device,drive=d0"))
    stop_autoboot(vm)
    command(vm, "virtio scan")
    info = command(vm, "virtio info")
    assert "QEMU VirtIO Block Device" in info
    assert "(2048 x 512)" in info
    read = command(vm, "virtio read 0x84000000 0 0x800")
    assert "2048 blocks read: OK" in read
    dump = command(vm, "md.b 0x84000000 0x10")
    first = disk.read_bytes()[:16]
    assert " ".join(f"{byte:02x}" for byte in first) in dump
    crc = command(vm, "crc32 0x84000000 0x100000")
    assert f"==> {zlib.crc32(disk.read_bytes()):08x}" in crc


@pytest.mark.guest("opensbi", "uboot")
@pytest.mark.parametrize("delay", [0.0, 0.05])
def test_keys_typed_right_after_the_autoboot_stop_are_not_lost(machine, delay):
    """The key that stops autoboot is consumed; the line typed next runs whole."""
    vm = machine(uboot_args())
    vm.console.expect(AUTOBOOT, timeout=120)
    vm.console.send("\n")
    time.sleep(delay)
    vm.console.send_line("echo typed-ahead-0123456789abcdefghijklmnopqrstuvwxyz")
    vm.console.expect("\ntyped-ahead-0123456789abcdefghijklmnopqrstuvwxyz", timeout=30)
