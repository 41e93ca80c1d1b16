"""The JIT and the interpreter give the same machine, instruction for instruction.

emu has two execution engines (-accel tcg: the JIT, the default;
-accel tcg,jit=off: the interpreter, the reference; docs/jit.md). The JIT
leaves code reached fewer than jit-threshold times (default 16) to the
interpreter, so it also runs with jit-threshold=1 (everything translated at
once). A Linux session (boot to init's marker, `work 1000`, poweroff) is
recorded under one engine (-icount rr=record with dense state-hash
checkpoints) and replayed under each engine, so all replays see the same host
inputs (RTC base, typed lines) at the same instruction counts:

  - every checkpoint recorded under the recording engine must match the
    replaying engine's state hash at that icount (replay stops with
    "replay diverged" otherwise), and
  - at the guest's poweroff all replays end with QMP's REPLAY_END event:
    the same total icount and final state hash (the x-query-state-hash
    value), equal to the recording's ("matched": true).

emu only: QEMU has neither the engine switch nor the state hash. Also: `-accel
help` documents the switch, and a bad value is one clear error.
"""

import subprocess

import pytest

from emutest import GuestImages, Machine, scaled

BOOT_TIMEOUT = 300  # seconds: the interpreter on a loaded 2-core machine
CHECKPOINT_INTERVAL = 5_000_000  # instructions between recorded state hashes


def linux_args(smp):
    images = GuestImages()
    return ["-M", "virt", "-m", "256M", "-smp", str(smp),
            "-kernel", str(images.linux_kernel), "-initrd", str(images.linux_initramfs),
            "-append", "console=ttyS0"]


ENGINES = {"jit": [], "jit-eager": ["-accel", "tcg,jit-threshold=1"], "interpreter": ["-accel", "tcg,jit=off"]}


def record_session(binary, smp, engine, log):
    args = linux_args(smp) + ENGINES[engine] + [
        "-icount", f"shift=0,rr=record,rrfile={log},rrcheckpoint={CHECKPOINT_INTERVAL}"]
    with Machine(args, binary=binary, name=f"record-{engine}") as vm:
        vm.console.expect("emu-init: ready", timeout=scaled(BOOT_TIMEOUT))
        vm.console.expect("emu-init# ", timeout=scaled(60))
        vm.console.send_line("work 1000")
        vm.console.expect("a145f12b02b9b71a", timeout=scaled(120))
        vm.console.expect("emu-init# ", timeout=scaled(60))
        vm.console.send_line("poweroff")
        assert vm.wait(timeout=scaled(60)) == 0, vm.stderr
        return vm.console.output


def replay_session(binary, smp, engine, log):
    """Replays the log under `engine`; returns (console output, REPLAY_END's data: final icount, state hash, matched)."""
    args = linux_args(smp) + ENGINES[engine] + ["-icount", f"shift=0,rr=replay,rrfile={log}"]
    with Machine(args, binary=binary, name=f"replay-{engine}") as vm:
        assert vm.wait(timeout=scaled(BOOT_TIMEOUT)) == 0, vm.stderr
        ends = vm.events("REPLAY_END")
        assert len(ends) == 1, vm.stderr
        return vm.console.output, ends[0]["data"]


@pytest.mark.guest("opensbi", "linux")
@pytest.mark.parametrize("smp,recorder", [(1, "jit"), (2, "interpreter")])
def test_linux_session_is_identical_under_both_engines(emu_binary, tmp_path, smp, recorder):
    log = tmp_path / "session.rr"
    recorded_output = record_session(emu_binary, smp, recorder, log)
    assert "emu-init: ready" in recorded_output

    replays = {engine: replay_session(emu_binary, smp, engine, log) for engine in ENGINES}
    (jit_output, jit_end), (interpreter_output, interpreter_end) = replays["jit"], replays["interpreter"]
    eager_output, eager_end = replays["jit-eager"]
    assert "a145f12b02b9b71a" in interpreter_output
    assert jit_output == interpreter_output == eager_output
    assert jit_end["icount"] > 20_000_000  # a whole Linux session (~40 M instructions), not an early stop
    assert jit_end["matched"] and interpreter_end["matched"] and eager_end["matched"]
    assert jit_end == interpreter_end == eager_end


def test_accel_help_lists_the_engine_switch(emu_binary):
    result = subprocess.run([str(emu_binary), "-accel", "help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "tcg" in result.stdout
    assert "jit=on|off" in result.stdout
    assert "jit-threshold=N" in result.stdout


def test_bad_engine_switch_is_one_clear_error(emu_binary):
    result = subprocess.run([str(emu_binary), "-M", "virt", "-accel", "tcg,jit=maybe"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "emu-system-riscv64: -accel tcg,jit=maybe: Parameter 'jit' expects 'on' or 'off'"]


@pytest.mark.parametrize("value", ["0", "x", "-3", "99999999999"])
def test_bad_jit_threshold_is_one_clear_error(emu_binary, value):
    result = subprocess.run([str(emu_binary), "-M", "virt", "-accel", f"tcg,jit-threshold={value}"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"emu-system-riscv64: -accel tcg,jit-threshold={value}: "
        "Parameter 'jit-threshold' expects an integer from 1 to 1000000"]
