"""QEMU's record/replay command line, word for word, on emu and on QEMU 7.2.

QEMU's manual (docs/system/replay.rst) records a run with a disk like this:

    -icount shift=auto,rr=record,rrfile=replay.bin
    -drive file=disk.qcow2,if=none,snapshot,id=img-direct
    -drive driver=blkreplay,if=none,image=img-direct,id=img-blkreplay
    -device ide-hd,drive=img-blkreplay

and replays with rr=replay. The tests run that command line (a raw disk and
virtio-blk-device, as the riscv virt board has no IDE) on the binary under
test (EMU_BINARY; `make pytests` runs this module on emu and on QEMU): a
Linux session that types commands and writes its disk is recorded, then
replayed with the same command line, and must print the same serial output;
`snapshot` keeps the image unchanged throughout. A plain run with
`snapshot=on` shows the guest its own writes without touching the image.
"""

import hashlib
import os
import select
import signal
import subprocess
import time

import pytest

from emutest import GuestImages, Machine, is_qemu, linux_disk_report, scaled

BOOT_TIMEOUT = 300
DISK_BYTES = 64 * 1024


def linux_args():
    images = GuestImages()
    return ["-M", "virt", "-m", "256M", "-kernel", str(images.linux_kernel), "-initrd", str(images.linux_initramfs),
            "-append", "console=ttyS0"]


def qemu_manual_drives(disk):
    return ["-drive", f"file={disk},if=none,snapshot,id=img-direct",
            "-drive", "driver=blkreplay,if=none,image=img-direct,id=img-blkreplay",
            "-device", "virtio-blk-device,drive=img-blkreplay"]


def written_disk(disk):
    """The disk's contents after the guest's `diskwrite 4096 hello`."""
    written = bytearray(disk.read_bytes())
    written[4096:4096 + 5] = b"hello"
    return bytes(written)


DISK_SESSION = [("emu-init# ", "echo recorded\n"), ("emu-init# ", "diskwrite 4096 hello\n"),
                ("emu-init# ", "disksum\n"), ("emu-init# ", "poweroff\n")]


def run_on_stdio(binary, args, script, timeout, terminate_at=None):
    """Runs the emulator with its serial port on stdio (pipes); types each
    script line once its prompt has appeared (again) in the output, and
    sends SIGTERM (a host shutdown) once `terminate_at` has appeared.
    Returns (exit status, serial output, stderr).
    """
    process = subprocess.Popen([str(binary)] + args + ["-display", "none", "-nodefaults", "-serial", "stdio"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output, prompts_seen, step = b"", 0, 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 0.5)
            if ready:
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
                if terminate_at is not None and terminate_at.encode() in output:
                    process.send_signal(signal.SIGTERM)
                    terminate_at = None
            while step < len(script) and output.count(script[step][0].encode()) > prompts_seen:
                process.stdin.write(script[step][1].encode())
                process.stdin.flush()
                prompts_seen += 1
                step += 1
        status = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return status, output.decode(errors="replace"), process.stderr.read().decode(errors="replace")


@pytest.mark.guest("opensbi", "linux")
def test_qemu_manual_command_line_records(emu_binary, tmp_path):
    """Both binaries accept the manual's command line and boot under it; the image stays as it was."""
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(range(256)) * (DISK_BYTES // 256))
    digest = hashlib.sha256(disk.read_bytes()).hexdigest()
    log = tmp_path / "replay.bin"
    status, recorded, stderr = run_on_stdio(
        emu_binary, linux_args() + qemu_manual_drives(disk) + ["-icount", f"shift=auto,rr=record,rrfile={log}"],
        [], scaled(BOOT_TIMEOUT), terminate_at="emu-init: ready")
    assert status == 0, stderr
    assert linux_disk_report(disk.read_bytes()) in recorded
    assert log.stat().st_size > 0
    assert hashlib.sha256(disk.read_bytes()).hexdigest() == digest


@pytest.mark.guest("opensbi", "linux")
def test_qemu_manual_command_line_replays_a_typed_session(emu_binary, tmp_path):
    if is_qemu(emu_binary):
        # Measured on 7.2 (this module's session typed on stdio): the record
        # run usually stalls for minutes mid-line ("diskwrite 4096 h"), as
        # QEMU holds typed input back until an internal checkpoint. emu
        # delivers input when it arrives (docs/replay.md).
        pytest.xfail("QEMU 7.2's rr=record stalls typed serial input until its next checkpoint")
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(range(256)) * (DISK_BYTES // 256))
    digest = hashlib.sha256(disk.read_bytes()).hexdigest()
    log = tmp_path / "replay.bin"
    args = linux_args() + qemu_manual_drives(disk)

    status, recorded, stderr = run_on_stdio(emu_binary, args + ["-icount", f"shift=auto,rr=record,rrfile={log}"],
                                            DISK_SESSION, scaled(BOOT_TIMEOUT))
    assert status == 0, stderr
    assert linux_disk_report(written_disk(disk)) in recorded
    assert "emu-init: powering off" in recorded
    assert log.stat().st_size > 0
    assert hashlib.sha256(disk.read_bytes()).hexdigest() == digest

    status, replayed, stderr = run_on_stdio(emu_binary, args + ["-icount", f"shift=auto,rr=replay,rrfile={log}"],
                                            [], scaled(BOOT_TIMEOUT))
    assert status == 0, stderr
    assert replayed == recorded
    assert hashlib.sha256(disk.read_bytes()).hexdigest() == digest


@pytest.mark.guest("opensbi", "linux")
def test_snapshot_drive_keeps_the_image(emu_binary, tmp_path):
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(range(256)) * (DISK_BYTES // 256))
    digest = hashlib.sha256(disk.read_bytes()).hexdigest()
    args = linux_args() + ["-drive", f"file={disk},format=raw,if=none,snapshot=on,id=d0",
                           "-device", "virtio-blk-device,drive=d0"]
    with Machine(args, binary=emu_binary) as vm:
        for line, answer in [("diskwrite 4096 hello", "emu-init: diskwrite 5 bytes at 4096"),
                             ("disksum", linux_disk_report(written_disk(disk))),
                             ("poweroff", "emu-init: powering off")]:
            vm.console.expect("emu-init# ", timeout=scaled(BOOT_TIMEOUT))
            vm.console.send_line(line)
            vm.console.expect(answer, timeout=scaled(60))
        assert vm.wait(timeout=scaled(120)) == 0, vm.stderr
    assert hashlib.sha256(disk.read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("drive, message", [
    ("driver=blkreplay,if=none,id=r", 'A block device must be specified for "image"'),
    ("driver=blkreplay,if=none,image=nosuch,id=r", "Cannot find device='nosuch' nor node-name='nosuch'"),
])
def test_blkreplay_needs_its_image(emu_binary, drive, message):
    completed = subprocess.run([str(emu_binary)] + linux_args() + ["-display", "none", "-drive", drive],
                               capture_output=True, text=True, timeout=scaled(30))
    assert completed.returncode == 1
    assert message in completed.stderr
