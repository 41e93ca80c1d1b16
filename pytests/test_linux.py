"""Linux (the project's kernel and init, guest-images/linux) on the virt board.

The guest boots under the default OpenSBI with a virtio-blk disk and a
virtio-rng, prints what its init checks ("emu-init: ..." lines, see
guest-images/linux/init.c) and serves a tiny command loop. The same command
lines run on emu and on QEMU 7.2 (EMU_BINARY selects the binary; `make
pytests` runs this module on both).
"""

import datetime
import random
import re

import pytest

from emutest import GuestImages, linux_disk_report, scaled

BOOT_TIMEOUT = 300  # seconds: the interpreter on a loaded 2-core machine
DISK_BYTES = 1 << 20


def make_disk(path):
    path.write_bytes(random.Random(6_1_0).randbytes(DISK_BYTES))
    return path


def linux_args(smp, disk):
    images = GuestImages()
    return ["-M", "virt", "-m", "256M", "-smp", str(smp),
            "-kernel", str(images.linux_kernel), "-initrd", str(images.linux_initramfs),
            "-append", "console=ttyS0",
            "-drive", f"file={disk},format=raw,if=none,id=d0", "-device", "virtio-blk-device,drive=d0",
            "-device", "virtio-rng-device"]


def run_command(vm, line, answer_pattern, timeout=60):
    """Types a command at init's prompt; returns the match of answer_pattern (a regex) that follows it."""
    vm.console.expect("emu-init# ", timeout=timeout)
    vm.console.send_line(line)
    return vm.console.expect(re.compile(answer_pattern), timeout=timeout)


class BootedLinux:
    def __init__(self, vm, disk, started_at):
        self.vm, self.disk, self.started_at = vm, disk, started_at


@pytest.fixture(scope="module")
def linux(tmp_path_factory, emu_binary):
    """One Linux boot (-smp 1) shared by the read-only tests; powered off by the last test or at teardown."""
    from emutest import Machine
    disk = make_disk(tmp_path_factory.mktemp("linux-disk") / "disk.img")
    started_at = datetime.datetime.now(datetime.timezone.utc)
    vm = Machine(linux_args(1, disk), binary=emu_binary, name="linux-smp1").start()
    try:
        vm.console.expect("emu-init: ready", timeout=scaled(BOOT_TIMEOUT))
        yield BootedLinux(vm, disk, started_at)
    finally:
        vm.shutdown()


@pytest.mark.guest("opensbi", "linux")
def test_boot_reports_one_cpu_and_the_virtio_devices(linux):
    output = linux.vm.console.output
    assert "emu-init: cpus online 1\n" in output.replace("\r", "")
    # virtio ids: 2 block, 4 entropy; the blk is the first -device (slot 7, probed first).
    assert re.search(r"emu-init: virtio virtio0 device 0x0002\r?\n", output)
    assert re.search(r"emu-init: virtio virtio1 device 0x0004\r?\n", output)


@pytest.mark.guest("opensbi", "linux")
def test_disk_checksum_matches_the_image(linux):
    expected = linux_disk_report(linux.disk.read_bytes())
    assert expected in linux.vm.console.output


@pytest.mark.guest("opensbi", "linux")
def test_rtc_reads_the_host_date(linux):
    found = re.search(r"emu-init: rtc (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", linux.vm.console.output)
    assert found, "init printed no RTC time"
    rtc = datetime.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    # The RTC starts at the host's time and then follows virtual time, which
    # may run slower (busy guest) or faster (idle guest) than the host's.
    tolerance = datetime.timedelta(minutes=5)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert linux.started_at - tolerance <= rtc <= now + tolerance, (rtc, linux.started_at, now)


@pytest.mark.guest("opensbi", "linux")
def test_typed_line_is_echoed(linux):
    run_command(linux.vm, "echo hello from the host 42", r"\nhello from the host 42\r?\n")


@pytest.mark.guest("opensbi", "linux")
def test_cpu_workload_gives_the_reference_result(linux):
    run_command(linux.vm, "work 1000", r"emu-init: work 1000 result a145f12b02b9b71a")


@pytest.mark.guest("opensbi", "linux")
def test_poweroff_exits_with_status_zero(linux):
    """Last in the module: it ends the shared machine."""
    run_command(linux.vm, "poweroff", r"emu-init: powering off")
    assert linux.vm.wait(timeout=60) == 0


@pytest.mark.guest("opensbi", "linux")
def test_two_harts_come_online_and_power_off(machine, tmp_path):
    disk = make_disk(tmp_path / "disk.img")
    vm = machine(linux_args(2, disk))
    vm.console.expect("emu-init: cpus online 2", timeout=scaled(BOOT_TIMEOUT))
    vm.console.expect(linux_disk_report(disk.read_bytes()),
                      timeout=scaled(60))
    vm.console.expect("emu-init: ready", timeout=scaled(60))
    run_command(vm, "work 1000", r"emu-init: work 1000 result a145f12b02b9b71a")
    run_command(vm, "poweroff", r"emu-init: powering off")
    assert vm.wait(timeout=60) == 0


@pytest.mark.guest("opensbi", "linux")
def test_read_only_drive_and_serial_reach_the_guest(machine, tmp_path):
    disk = make_disk(tmp_path / "disk.img")
    images = GuestImages()
    vm = machine(["-M", "virt", "-m", "256M", "-kernel", str(images.linux_kernel),
                  "-initrd", str(images.linux_initramfs), "-append", "console=ttyS0",
                  "-drive", f"file={disk},format=raw,if=none,id=d0,readonly=on",
                  "-device", "virtio-blk-device,drive=d0,serial=EMU-SERIAL-7"])
    vm.console.expect("emu-init: ready", timeout=scaled(BOOT_TIMEOUT))
    run_command(vm, "cat /sys/block/vda/ro", r"\n1\r?\n")
    run_command(vm, "cat /sys/block/vda/serial", r"\nEMU-SERIAL-7")
