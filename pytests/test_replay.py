"""Record and replay, bit for bit (docs/replay.md).

A session is recorded with `-icount shift=0,rr=record,rrfile=LOG` while a
user types at the guest, then replayed with `rr=replay`: the replay takes
every host input (typed bytes, the RTC's wall-clock base, virtio-rng
entropy, monitor commands) from the log at the recorded instruction count,
ignores the host's, checks every state-hash checkpoint and ends with a
REPLAY_END event. The tests check what a user relies on:

  - three replays of a Linux session (typed commands, RTC read, entropy,
    a disk the guest writes and reads back) print byte-identical serial
    output, end at the same icount with the same state hash as the
    recording, and typing during a replay changes nothing; the disk image
    is never modified, by the recording or by a replay;
  - -smp 2, replayed under the other execution engine (-accel tcg,jit=off);
  - an interactive U-Boot session with a QMP system_reset, ended by the
    host (QMP quit), replayed three times (once in the interpreter);
  - a deliberately injected divergence (a register bit, a RAM byte) is
    reported at the next checkpoint and narrowed to the instruction after
    which it happened, naming the register (with both values) or the page;
  - QMP query-replay, replay-break, replay-seek and HMP info replay;
  - damaged logs, a changed image and the emu-replay tool's verdicts.

emu only: QEMU's record/replay log is a different format.
"""

import hashlib
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from emutest import GuestImages, Machine, linux_disk_report, scaled

BOOT_TIMEOUT = 120
DISK_BYTES = 64 * 1024


def linux_args(smp=1, disk=None):
    images = GuestImages()
    args = ["-M", "virt", "-m", "256M", "-smp", str(smp),
            "-kernel", str(images.linux_kernel), "-initrd", str(images.linux_initramfs),
            "-append", "console=ttyS0", "-device", "virtio-rng-device"]
    if disk is not None:
        args += ["-drive", f"file={disk},format=raw,if=none,id=d0", "-device", "virtio-blk-device,drive=d0"]
    return args


def rr(mode, log, extra=""):
    return ["-icount", f"shift=0,rr={mode},rrfile={log}{extra}"]


def command(vm, line, answer):
    vm.console.expect("emu-init# ", timeout=scaled(60))
    vm.console.send_line(line)
    vm.console.expect(answer, timeout=scaled(60))


DISK_WRITE_OFFSET = 4096
DISK_WRITE_TEXT = "written under record"


def record_linux(binary, log, smp=1, disk=None, extra=""):
    with Machine(linux_args(smp, disk) + rr("record", log, extra), binary=binary, name="record") as vm:
        vm.console.expect("emu-init: ready", timeout=scaled(BOOT_TIMEOUT))
        info = vm.qmp.command("query-replay")
        assert (info["mode"], info["filename"]) == ("record", str(log)) and info["icount"] > 0
        command(vm, "echo typed while recording", "\ntyped while recording")
        command(vm, "work 1000", "emu-init: work 1000 result a145f12b02b9b71a")
        if disk is not None:
            # The guest writes its disk; it must read its own write back, from the overlay.
            written = bytearray(disk.read_bytes())
            written[DISK_WRITE_OFFSET:DISK_WRITE_OFFSET + len(DISK_WRITE_TEXT)] = DISK_WRITE_TEXT.encode()
            command(vm, f"diskwrite {DISK_WRITE_OFFSET} {DISK_WRITE_TEXT}",
                    f"emu-init: diskwrite {len(DISK_WRITE_TEXT)} bytes at {DISK_WRITE_OFFSET}")
            command(vm, "disksum", linux_disk_report(bytes(written)))
        vm.console.expect("emu-init# ", timeout=scaled(60))
        vm.console.send_line("poweroff")
        assert vm.wait(timeout=scaled(60)) == 0, vm.stderr
        return vm.console.output


def replay(binary, log, args, *, typing=None, extra=""):
    """Replays log; returns (serial output, REPLAY_END data, stderr)."""
    with Machine(args + rr("replay", log, extra), binary=binary, name="replay") as vm:
        if typing:
            vm.console.send_line(typing)  # a replay ignores the host's input
        status = vm.wait(timeout=scaled(BOOT_TIMEOUT))
        ends = vm.events("REPLAY_END")
        assert status == 0, vm.stderr
        assert len(ends) == 1, vm.stderr
        return vm.console.output, ends[0]["data"], vm.stderr


@pytest.mark.guest("opensbi", "linux")
def test_linux_session_replays_bit_for_bit(emu_binary, tmp_path):
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(range(256)) * (DISK_BYTES // 256))
    disk_digest = hashlib.sha256(disk.read_bytes()).hexdigest()
    log = tmp_path / "linux.rr"
    recorded = record_linux(emu_binary, log, disk=disk)
    assert re.search(r"emu-init: rtc \d{4}-\d\d-\d\d", recorded)
    assert f"emu-init: diskwrite {len(DISK_WRITE_TEXT)} bytes" in recorded
    assert hashlib.sha256(disk.read_bytes()).hexdigest() == disk_digest  # the write went to the overlay

    runs = [replay(emu_binary, log, linux_args(disk=disk), typing="echo typed during replay" if i == 2 else None)
            for i in range(3)]
    for output, end, stderr in runs:
        assert output == recorded
        assert end["matched"] is True
        assert "replay: end of log at icount" in stderr
    assert len({(end["icount"], end["hash"]) for _, end, _ in runs}) == 1
    assert "typed during replay" not in runs[2][0]
    assert hashlib.sha256(disk.read_bytes()).hexdigest() == disk_digest

    # The tool agrees, and describes the log.
    tool = Path(emu_binary).parent / "emu-replay"
    info = subprocess.run([tool, "info", log], capture_output=True, text=True, timeout=30)
    assert info.returncode == 0, info.stderr
    assert "wall-clock 1 records" in info.stdout
    assert re.search(r"entropy\s+\d+ records", info.stdout)
    assert f"end:          icount {runs[0][1]['icount']}, state hash {runs[0][1]['hash']}" in info.stdout
    verify = subprocess.run([tool, "verify", log], capture_output=True, text=True, timeout=scaled(BOOT_TIMEOUT))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "replay matched" in verify.stdout


@pytest.mark.guest("opensbi", "linux")
def test_smp2_recording_replays_under_the_interpreter(emu_binary, tmp_path):
    log = tmp_path / "smp2.rr"
    recorded = record_linux(emu_binary, log, smp=2)
    assert "emu-init: cpus online 2" in recorded
    output, end, _ = replay(emu_binary, log, linux_args(smp=2) + ["-accel", "tcg,jit=off"])
    assert output == recorded
    assert end["matched"] is True


@pytest.mark.guest("opensbi", "uboot")
def test_interactive_uboot_session_replays(emu_binary, tmp_path):
    args = ["-M", "virt", "-m", "256M", "-kernel", str(GuestImages().uboot)]
    log = tmp_path / "uboot.rr"
    with Machine(args + rr("record", log), binary=emu_binary, name="record") as vm:
        vm.console.expect("Hit any key to stop autoboot", timeout=scaled(60))
        vm.console.send(" ")
        vm.console.expect("=> ", timeout=scaled(30))
        vm.console.send_line("version")
        vm.console.expect(re.compile(r"U-Boot \d{4}\.\d\d"), timeout=scaled(30))
        vm.console.expect("=> ", timeout=scaled(30))
        vm.qmp.command("system_reset")  # a monitor command that touches the guest is an input too
        vm.console.expect("Hit any key to stop autoboot", timeout=scaled(60))
        vm.console.send(" ")
        vm.console.expect("=> ", timeout=scaled(30))
        vm.qmp.command("quit")
        vm.wait(timeout=scaled(30))
        recorded = vm.console.output
    # Three replays, the last under the other engine: byte-identical output, same end.
    runs = [replay(emu_binary, log, args + (["-accel", "tcg,jit=off"] if i == 2 else [])) for i in range(3)]
    for output, end, _ in runs:
        assert output == recorded
        assert end["matched"] is True
    assert "=> version" in recorded.replace("\r", "")
    assert recorded.count("Hit any key to stop autoboot") == 2
    assert len({(end["icount"], end["hash"]) for _, end, _ in runs}) == 1


@pytest.fixture(scope="module")
def dense_log(tmp_path_factory, emu_binary):
    """A Linux session with a checkpoint every 2M instructions."""
    log = tmp_path_factory.mktemp("replay") / "dense.rr"
    record_linux(emu_binary, log, extra=",rrcheckpoint=2000000")
    return log


def replay_with_flip(binary, log, inject, target):
    """Replays log with x-rrinject; returns (stderr, REPLAY_DIVERGED data), or None if the replay still matched."""
    extra = f",x-rrinject={inject},x-rrinjecttarget={target}"
    with Machine(linux_args() + rr("replay", log, extra), binary=binary) as vm:
        status = vm.wait(timeout=scaled(BOOT_TIMEOUT))
        if status == 0 and vm.events("REPLAY_END"):
            return None  # the guest overwrote the flipped bit before using it
        assert status == 1, vm.stderr
        events = vm.events("REPLAY_DIVERGED")
        assert len(events) == 1, vm.stderr
        return vm.stderr, events[0]["data"]


def checkpoint_report(stderr, event, inject):
    found = re.search(r"replay diverged at icount (\d+): (\S+) differs", stderr)
    assert found, stderr
    checkpoint = int(found.group(1))
    assert inject < checkpoint < inject + 2_100_000  # the next checkpoint (every 2M, at a round end)
    assert (event["icount"], event["component"]) == (checkpoint, found.group(2))
    assert inject - 2_100_000 < event["last-match-icount"] <= inject
    assert f"the state last matched at icount {event['last-match-icount']}" in stderr
    return found.group(2)


@pytest.mark.guest("opensbi", "linux")
def test_injected_register_divergence_is_narrowed_to_its_instruction(emu_binary, dense_log):
    # sp, bit 0 flipped right after the instruction at `inject` - not a
    # checkpoint, so the checkpoint report and the narrowed instruction
    # differ. sp is live almost everywhere; should the guest overwrite the
    # flip at one point, the next is tried.
    for inject in (12_345_678, 13_456_789, 15_678_901):
        result = replay_with_flip(emu_binary, dense_log, inject, "x2")
        if result is not None:
            break
    else:
        pytest.fail("no flip of sp made the replay diverge")
    stderr, event = result
    assert checkpoint_report(stderr, event, inject) == "hart0.x2"
    narrowed = re.search(r"narrowed: the first differing instruction is at icount (\d+) \(hart0 pc (0x[0-9a-f]+) [^)]+\): "
                         r"hart0\.x2 differs \(recorded/reference (0x[0-9a-f]+), replay (0x[0-9a-f]+)\)", stderr)
    assert narrowed, stderr
    assert int(narrowed.group(1)) == inject
    assert int(narrowed.group(3), 16) ^ int(narrowed.group(4), 16) == 1  # bit 0, as flipped
    assert int(narrowed.group(2), 16) >= 0xffffffff80000000  # the kernel was running
    assert event["instruction-icount"] == inject
    assert event["instruction-component"] == "hart0.x2"
    assert (event["hart"], event["pc"], event["between-instructions"]) == (0, int(narrowed.group(2), 16), False)


@pytest.mark.guest("opensbi", "linux")
def test_injected_memory_divergence_names_the_page(emu_binary, dense_log):
    # A byte of the kernel image (loaded at 0x80200000): nothing writes it
    # again, so the flip lasts to the next checkpoint.
    inject, address = 12_345_678, 0x80400010
    result = replay_with_flip(emu_binary, dense_log, inject, hex(address))
    assert result is not None, "a flipped kernel byte went unnoticed"
    stderr, event = result
    assert checkpoint_report(stderr, event, inject) == "mem@0x80400000"  # 1 MiB groups in the log's summary
    page = f"mem@{address & ~0xfff:#x}"  # 4 KiB pages when narrowed
    assert re.search(rf"narrowed: the first differing instruction is at icount {inject} \(hart0 pc 0x[0-9a-f]+ [^)]+\): "
                     rf"{page} differs", stderr), stderr
    assert (event["instruction-icount"], event["instruction-component"]) == (inject, page)

    bad = run_replay_expecting_error(emu_binary, linux_args() + rr("replay", dense_log, ",x-rrinject=5,x-rrinjecttarget=x0"))
    assert "Parameter 'x-rrinjecttarget' expects x1 to x31 or a guest physical address" in bad


@pytest.mark.guest("opensbi", "linux")
def test_replay_break_and_seek(emu_binary, dense_log):
    with Machine(linux_args() + rr("replay", dense_log) + ["-S"], binary=emu_binary) as vm:
        assert vm.qmp.command("query-replay") == {"mode": "play", "filename": str(dense_log), "icount": 0}
        vm.qmp.command("replay-break", {"icount": 7_654_321})
        vm.qmp.command("cont")
        vm.wait_event("STOP", timeout=scaled(60))
        stopped_at = vm.qmp.command("query-replay")["icount"]
        assert 7_654_321 <= stopped_at < 7_654_321 + 10_000  # the first slice boundary at or after it
        with pytest.raises(Exception, match="execution is at"):
            vm.qmp.command("replay-break", {"icount": 100})
        vm.qmp.clear_events()
        vm.qmp.command("replay-seek", {"icount": 9_000_000})
        vm.wait_event("STOP", timeout=scaled(60))
        seeked = vm.qmp.command("query-replay")["icount"]
        assert 9_000_000 <= seeked < 9_010_000
        assert vm.hmp("info replay").startswith(f"Replaying execution '{dense_log}': instruction count = {seeked}")
        vm.qmp.command("cont")
        assert vm.wait(timeout=scaled(BOOT_TIMEOUT)) == 0
        assert vm.events("REPLAY_END")[0]["data"]["matched"] is True


def run_replay_expecting_error(binary, args):
    completed = subprocess.run([binary] + args + ["-display", "none", "-nodefaults"], capture_output=True, text=True,
                               timeout=scaled(60))
    assert completed.returncode == 1, completed.stderr
    return completed.stderr


@pytest.mark.guest("opensbi", "linux")
def test_damaged_log_and_changed_image_are_refused(emu_binary, dense_log, tmp_path):
    data = dense_log.read_bytes()
    truncated = tmp_path / "truncated.rr"
    truncated.write_bytes(data[: len(data) - 5])
    assert "truncated chunk" in run_replay_expecting_error(emu_binary, linux_args() + rr("replay", truncated))
    flipped = tmp_path / "flipped.rr"
    flipped.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    assert "checksum mismatch" in run_replay_expecting_error(emu_binary, linux_args() + rr("replay", flipped))
    assert "cannot open replay log" in run_replay_expecting_error(emu_binary, linux_args() + rr("replay", tmp_path / "none"))

    initrd = tmp_path / "initramfs.cpio"
    shutil.copy(GuestImages().linux_initramfs, initrd)
    with open(initrd, "ab") as out:
        out.write(b"\0" * 512)
    args = [arg if arg != str(GuestImages().linux_initramfs) else str(initrd) for arg in linux_args()]
    stderr = run_replay_expecting_error(emu_binary, args + rr("replay", dense_log))
    assert re.search(r"replay: initrd image .* differs from the recorded one", stderr), stderr

    tool = Path(emu_binary).parent / "emu-replay"
    info = subprocess.run([tool, "info", truncated], capture_output=True, text=True, timeout=30)
    assert info.returncode == 2 and "truncated chunk" in info.stderr


def record_host_ended_session(binary, log, args):
    """A Linux session the host ends (QMP quit) at init's prompt; returns the serial output."""
    with Machine(args + rr("record", log), binary=binary, name="record") as vm:
        command(vm, "echo before the end", "\nbefore the end")
        vm.console.expect("emu-init# ", timeout=scaled(60))
        vm.qmp.command("quit")
        vm.wait(timeout=scaled(60))
        return vm.console.output


@pytest.mark.guest("opensbi", "linux")
def test_rrend_stop_pauses_at_the_end_of_the_log_and_cont_goes_on_live(emu_binary, tmp_path):
    log = tmp_path / "host-ended.rr"
    recorded = record_host_ended_session(emu_binary, log, linux_args())
    with Machine(linux_args() + rr("replay", log, ",rrend=stop"), binary=emu_binary, name="replay") as vm:
        vm.console.send_line("echo typed during the replay")  # ignored: the log drives the guest
        end = vm.wait_event("REPLAY_END", timeout=scaled(BOOT_TIMEOUT))["data"]
        assert end["matched"] is True
        vm.wait_event("STOP", timeout=scaled(30))
        assert vm.qmp.command("query-status")["status"] == "paused"
        assert vm.qmp.command("query-replay")["mode"] == "none"
        assert "the log is over; the machine goes on live" in vm.stderr
        vm.qmp.command("cont")
        vm.console.send_line("echo typed live")
        vm.console.expect("\ntyped live", timeout=scaled(60))
        vm.console.expect("emu-init# ", timeout=scaled(60))
        vm.console.send_line("poweroff")
        assert vm.wait(timeout=scaled(60)) == 0, vm.stderr
        assert vm.console.output.startswith(recorded)
        assert "typed during the replay" not in vm.console.output


@pytest.mark.guest("opensbi", "linux")
def test_rrimages_warn_replays_with_a_changed_image(emu_binary, tmp_path):
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(DISK_BYTES))
    log = tmp_path / "disk.rr"
    record_host_ended_session(emu_binary, log, linux_args(disk=disk))
    disk.write_bytes(bytes([7]) * DISK_BYTES)
    stderr = run_replay_expecting_error(emu_binary, linux_args(disk=disk) + rr("replay", log))
    assert "drive:d0 image" in stderr and "differs from the recorded one" in stderr

    with Machine(linux_args(disk=disk) + rr("replay", log, ",rrimages=warn"), binary=emu_binary, name="replay") as vm:
        # The replay runs on the changed disk: the guest's checksum shows it.
        vm.console.expect(linux_disk_report(bytes([7]) * DISK_BYTES),
                          timeout=scaled(BOOT_TIMEOUT))
        assert "warning: replay: drive:d0 image" in vm.stderr
        assert "replaying anyway (rrimages=warn)" in vm.stderr
        vm.kill()


@pytest.mark.guest("opensbi", "linux")
def test_cached_state_hash_equals_a_full_read_of_memory(emu_binary, tmp_path):
    """Checkpoints hash only the pages dirty-page tracking says were written
    (and take never-written pages as zeros); x-query-state-hash {full: true}
    reads every page. They must agree at every point: before the first
    instruction, after a Linux boot (loaders, firmware, kernel, DMA), after
    a disk write and a workload, for both engines."""
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(range(256)) * (DISK_BYTES // 256))
    for engine in ("tcg", "tcg,jit=off"):
        with Machine(linux_args(disk=disk) + ["-accel", engine, "-S"], binary=emu_binary) as vm:
            def check():
                cached = vm.qmp.command("x-query-state-hash")
                full = vm.qmp.command("x-query-state-hash", {"full": True})
                assert cached == full, engine
                return cached
            first = check()
            assert first["icount"] == 0
            vm.qmp.command("cont")
            vm.console.expect("emu-init: ready", timeout=scaled(BOOT_TIMEOUT))
            vm.qmp.command("stop")
            assert check()["hash"] != first["hash"]
            vm.qmp.command("cont")
            command(vm, "diskwrite 8192 dma", "emu-init: diskwrite 3 bytes at 8192")
            command(vm, "work 500", "emu-init: work 500 result")
            vm.qmp.command("stop")
            check()
            vm.qmp.command("cont")
            vm.console.expect("emu-init# ", timeout=scaled(60))
            vm.console.send_line("poweroff")
            assert vm.wait(timeout=scaled(60)) == 0


@pytest.mark.guest("opensbi", "linux")
def test_idle_time_adds_no_checkpoints(emu_binary, tmp_path):
    """The checkpoint interval counts executed instructions: an idle guest
    skips virtual time by the billions of instructions per second, and
    checkpoints there would only repeat the clock (and fill the log)."""
    log = tmp_path / "idle.rr"
    with Machine(linux_args() + rr("record", log), binary=emu_binary, name="record") as vm:
        vm.console.expect("emu-init# ", timeout=scaled(BOOT_TIMEOUT))
        time.sleep(2)  # the guest idles at its prompt
        vm.qmp.command("quit")
        vm.wait(timeout=scaled(60))
    info = subprocess.run([Path(emu_binary).parent / "emu-replay", "info", log], capture_output=True, text=True,
                          timeout=30)
    checkpoints = int(re.search(r"checkpoints:\s+(\d+)", info.stdout).group(1))
    end_icount = int(re.search(r"end:\s+icount (\d+)", info.stdout).group(1))
    assert end_icount > 100 * 20_000_000  # idle skips took virtual time far past the boot
    assert 0 < checkpoints < end_icount // 20_000_000 // 10
    _, end, _ = replay(emu_binary, log, linux_args())
    assert end["matched"] is True
