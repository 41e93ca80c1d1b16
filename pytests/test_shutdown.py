"""How the emulator ends: host signals, -no-shutdown, and the terminal left behind.

Runs against emu and against QEMU 7.2 (make test's PEER_PYTESTS). What QEMU 7.2
does, measured on Debian's qemu-system-riscv64:
  - SIGINT, SIGTERM, SIGHUP: a SHUTDOWN event {"guest": false, "reason": "host-signal"},
    "terminating on signal N from pid P (NAME)" on stderr, exit status 0; with
    -no-shutdown too (a signal always ends the process).
  - -no-shutdown and a guest poweroff through the sifive_test finisher: QEMU 7.2's
    finisher calls exit(0) itself (no SHUTDOWN event, the option has no effect);
    QEMU 8 asks for a shutdown instead, which -no-shutdown turns into a stop in
    run state "shutdown". emu does what QEMU 8 does; the tests below say which is which.
  - quit always exits, -no-shutdown or not.
"""

import os
import re
import signal
import termios

import pexpect
import pytest

from emutest import config
from emutest.config import is_qemu
from emutest.terminal import ECHO_READY, echo_board, on_pty

PAUSED_BOARD = ["-M", "virt", "-bios", "none", "-S"]
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


def assert_ended_by_signal(vm, number):
    assert vm.wait() == 0
    assert vm.qmp.wait_closed()  # and so every event sent before the exit has been read
    shutdowns = vm.events("SHUTDOWN")
    assert [event["data"] for event in shutdowns] == [{"guest": False, "reason": "host-signal"}]
    # QEMU's wording; the sender is this test process.
    line = re.search(r"terminating on signal (\d+) from pid (\d+) \((.*)\)", vm.stderr)
    assert line, vm.stderr
    assert (int(line.group(1)), int(line.group(2))) == (number, os.getpid())


@pytest.mark.parametrize("number", SIGNALS, ids=lambda number: number.name)
def test_a_signal_ends_a_running_guest_cleanly(machine, counter_guest, number):
    vm = machine(["-M", "virt", "-bios", "none", "-kernel", counter_guest])
    assert vm.qmp.command("query-status")["status"] == "running"
    vm.process.send_signal(number)
    assert_ended_by_signal(vm, number)


def test_a_signal_ends_a_paused_machine(machine):
    vm = machine(PAUSED_BOARD)
    vm.process.send_signal(signal.SIGTERM)
    assert_ended_by_signal(vm, signal.SIGTERM)


def test_a_signal_ends_the_machine_even_with_no_shutdown(machine, counter_guest):
    vm = machine(["-M", "virt", "-bios", "none", "-no-shutdown", "-kernel", counter_guest])
    vm.process.send_signal(signal.SIGTERM)
    assert_ended_by_signal(vm, signal.SIGTERM)


def test_quit_ends_the_machine_even_with_no_shutdown(machine):
    vm = machine(PAUSED_BOARD + ["-no-shutdown"])
    vm.qmp.command("quit")
    assert vm.wait() == 0
    assert vm.qmp.wait_closed()
    assert [event["data"] for event in vm.events("SHUTDOWN")] == [{"guest": False, "reason": "host-qmp-quit"}]


@pytest.mark.guest("demo")
def test_no_shutdown_keeps_the_machine_after_a_guest_poweroff(machine, guest_images):
    vm = machine(["-M", "virt", "-bios", "none", "-no-shutdown", "-kernel", guest_images.demo])
    vm.console.expect("emu demo: powering off")
    if is_qemu():
        # QEMU 7.2's sifive_test exits the process itself (see the module's docstring).
        assert vm.wait() == 0
        assert vm.events("SHUTDOWN") == []
        return
    assert vm.wait_event("SHUTDOWN")["data"] == {"guest": True, "reason": "guest-shutdown"}
    vm.wait_event("STOP")
    assert [event["event"] for event in vm.events()] == ["SHUTDOWN", "STOP"]
    # The machine stays, stopped, with its monitors answering.
    assert vm.qmp.command("query-status") == {"status": "shutdown", "singlestep": False, "running": False}
    assert vm.hmp("info status") == "VM status: paused (shutdown)\r\n"
    assert vm.is_running()
    # cont needs a reset first; after system_reset it runs the guest again from the start.
    refused = vm.qmp.execute("cont")
    assert refused["error"] == {"class": "GenericError", "desc": "Resetting the Virtual Machine is required"}
    vm.qmp.command("system_reset")
    assert vm.qmp.command("query-status")["status"] == "prelaunch"
    vm.qmp.command("cont")
    vm.console.expect("emu demo: powering off")
    vm.wait_event("SHUTDOWN")
    vm.wait_event("STOP")
    assert vm.qmp.command("query-status")["status"] == "shutdown"
    vm.qmp.command("quit")
    assert vm.wait() == 0


@pytest.mark.guest("linux")
def test_no_shutdown_after_linux_powers_off(machine, guest_images):
    vm = machine(["-M", "virt", "-m", "256M", "-no-shutdown", "-kernel", guest_images.linux_kernel,
                  "-initrd", guest_images.linux_initramfs, "-append", "console=ttyS0"])
    vm.console.expect("emu-init# ", timeout=config.scaled(120))
    vm.console.send_line("poweroff")
    vm.console.expect("reboot: Power down")
    if is_qemu():
        assert vm.wait() == 0  # QEMU 7.2: OpenSBI's poweroff reaches sifive_test, which exits
        return
    assert vm.wait_event("SHUTDOWN")["data"] == {"guest": True, "reason": "guest-shutdown"}
    vm.wait_event("STOP")
    assert vm.qmp.command("query-status")["status"] == "shutdown"
    assert vm.is_running()


def test_no_shutdown_is_listed_in_the_help(emu_binary):
    help_text = pexpect.run(f"{emu_binary} -h", encoding="utf-8", timeout=config.scaled(20))
    assert re.search(r"^-no-shutdown\s", help_text, re.M), help_text


# ---- the terminal -----------------------------------------------------------------------

def test_the_terminal_is_restored_after_a_signal(emu_binary, echo_guest):
    with on_pty(emu_binary, echo_board(echo_guest)) as child:
        # On Linux, the termios of a pty's master are those of its terminal side. (A new
        # pty is cooked, but the emulator may have made it raw before we look, so the
        # cooked flags are checked by name below rather than read here.)
        child.expect_exact(ECHO_READY)
        raw = termios.tcgetattr(child.child_fd)
        assert not raw[3] & (termios.ICANON | termios.ECHO)  # lflag: raw mode while it runs
        child.kill(signal.SIGTERM)
        child.expect(pexpect.EOF)
        assert re.search(r"terminating on signal 15 from pid \d+", child.before), child.before
        iflag, _oflag, _cflag, lflag = termios.tcgetattr(child.child_fd)[:4]
        assert lflag & termios.ICANON and lflag & termios.ECHO and lflag & termios.ISIG
        assert iflag & termios.ICRNL
    assert child.exitstatus == 0


def test_ctrl_c_on_serial_stdio_ends_the_emulator(emu_binary, echo_guest):
    # Plain -serial stdio keeps the terminal's signal keys (mon:stdio passes Ctrl-C to the guest).
    with on_pty(emu_binary, echo_board(echo_guest, serial="stdio")) as child:
        child.expect_exact(ECHO_READY)
        child.send("\x03")
        child.expect(pexpect.EOF)
        # The kernel sends SIGINT (no sender pid): no "from pid ..." part.
        assert re.search(r": terminating on signal 2\r?\n", child.before), child.before
    assert child.exitstatus == 0


def test_ctrl_c_on_mon_stdio_reaches_the_guest(emu_binary, echo_guest):
    with on_pty(emu_binary, echo_board(echo_guest)) as child:
        child.expect_exact(ECHO_READY)
        child.send("\x03ok")
        child.expect_exact("\x03OK")  # echoed by the guest: Ctrl-C was a byte for it, not a signal
        assert child.isalive()
