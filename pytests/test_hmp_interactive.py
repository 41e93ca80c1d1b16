"""The human monitor as a person uses it: a terminal on `-monitor unix:...`, and the
`-serial mon:stdio` multiplexer on a real pty, where Ctrl-A c switches between the
guest's console and the monitor.

Runs against emu and against QEMU 7.2 (make test's PEER_PYTESTS): the answers are
compared as text, so the two must agree on what a user sees. (QEMU redraws the
line being typed with escape sequences, emu echoes it plainly; emutest.hmp.answer_of
reads the answer after the echo either way.)
"""

import re

import pexpect
import pytest

from emutest.hmp import PROMPT, answer_of, registers_of
from emutest.terminal import ECHO_READY, echo_board, on_pty

PAUSED_BOARD = ["-M", "virt", "-bios", "none", "-S"]
BANNER = re.compile(r"QEMU \d+\.\d+\.\d+ monitor - type 'help' for more information\n")


@pytest.fixture
def terminal(machine):
    vm = machine(PAUSED_BOARD, monitor=True)
    return vm, vm.connect_monitor()


def test_banner_then_prompt(terminal):
    _vm, monitor = terminal
    assert BANNER.fullmatch(monitor.banner), monitor.banner


def test_info_status_follows_stop_and_cont(terminal):
    vm, monitor = terminal
    assert monitor.command("info status") == "VM status: paused (prelaunch)\n"
    assert monitor.command("cont") == ""
    assert vm.qmp.command("query-status")["status"] == "running"
    assert monitor.command("info status") == "VM status: running\n"
    assert monitor.command("stop") == ""
    assert vm.qmp.command("query-status")["status"] == "paused"
    assert monitor.command("info status") == "VM status: paused\n"
    # The other monitor saw the same run-state changes.
    assert [event["event"] for event in vm.events()] == ["RESUME", "STOP"]


def test_info_registers_at_the_reset_vector(terminal):
    vm, monitor = terminal
    answer = monitor.command("info registers")
    registers = registers_of(answer)
    assert registers["pc"] == 0x1000  # every hart starts in the reset-vector ROM
    assert all(f"x{index}" in registers for index in range(32))
    # The same values as through QMP's human-monitor-command. (Not the whole text:
    # QEMU 7.2 shows mideleg 0 the first time and its hypervisor bits 0x1444 after.)
    through_qmp = registers_of(vm.hmp("info registers"))
    assert [registers[f"x{index}"] for index in range(32)] == [through_qmp[f"x{index}"] for index in range(32)]


def test_memory_dump_of_the_reset_vector(terminal):
    vm, monitor = terminal
    answer = monitor.command("x /4xw 0x1000")
    # One line: address, then four words; the first is `auipc t0, 0` (0x00000297).
    assert re.fullmatch(r"0000000000001000: 0x00000297( 0x[0-9a-f]{8}){3}\n", answer), answer
    assert answer == vm.hmp("x /4xw 0x1000").replace("\r\n", "\n")


def test_unknown_command_and_the_session_goes_on(terminal):
    _vm, monitor = terminal
    assert monitor.command("frobnicate now") == "unknown command: 'frobnicate'\n"
    assert monitor.command("") == ""
    assert monitor.command("info status") == "VM status: paused (prelaunch)\n"


def test_erasing_a_typo_before_enter(terminal):
    _vm, monitor = terminal
    # "info statsu", two backspaces (DEL, as a terminal sends) leave "info stat", then "us".
    assert monitor.command("info statsu\x7f\x7fus") == "VM status: paused (prelaunch)\n"


def test_q_ends_the_emulator(terminal):
    vm, monitor = terminal
    assert monitor.quit()
    assert vm.wait() == 0
    shutdown = vm.qmp.wait_event("SHUTDOWN")
    assert shutdown["data"] == {"guest": False, "reason": "host-qmp-quit"}


# ---- -serial mon:stdio on a pty ---------------------------------------------------------

CTRL_A = "\x01"


@pytest.fixture
def pty_session(emu_binary, echo_guest):
    """The emulator on a pty with -serial mon:stdio, running the echo guest."""
    with on_pty(emu_binary, echo_board(echo_guest)) as child:
        child.expect_exact(ECHO_READY)
        yield child


def type_at_monitor(child, line: str) -> str:
    child.send(line + "\r")
    child.expect_exact(PROMPT)
    return answer_of(child.before)


def test_ctrl_a_c_switches_between_console_and_monitor(pty_session):
    child = pty_session
    child.send("hello\r")
    child.expect_exact("HELLO")  # the guest echoes upper-cased: the console has the input

    child.send(CTRL_A + "c")  # to the monitor: its banner and prompt appear on first entry
    child.expect(r"QEMU \d+\.\d+\.\d+ monitor - type 'help' for more information")
    child.expect_exact(PROMPT)
    assert type_at_monitor(child, "info status") == "VM status: running\n"
    assert "unknown command: 'hello'" in type_at_monitor(child, "hello")
    child.send("abc")  # typed at the monitor, never reaches the guest

    child.send(CTRL_A + "c")  # back to the console
    child.send("xyz\r")
    child.expect_exact("XYZ")
    assert "ABC" not in child.before

    child.send(CTRL_A + "c")  # to the monitor again: just the prompt this time
    child.expect_exact(PROMPT)
    assert "monitor - type 'help'" not in child.before
    assert type_at_monitor(child, "stop") == ""
    assert type_at_monitor(child, "info status") == "VM status: paused\n"
    child.send("q\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_monitor_on_stdio(emu_binary):
    with on_pty(emu_binary, PAUSED_BOARD + ["-display", "none", "-nodefaults", "-monitor", "stdio"]) as child:
        child.expect_exact(PROMPT)
        assert BANNER.fullmatch(child.before.replace("\r\r\n", "\n")), child.before  # the pty adds a \r
        assert type_at_monitor(child, "info status") == "VM status: paused (prelaunch)\n"
        child.send("q\r")
        child.expect(pexpect.EOF)
    assert child.exitstatus == 0


def test_ctrl_a_ctrl_a_sends_one_ctrl_a_to_the_guest(pty_session):
    child = pty_session
    child.send(CTRL_A + CTRL_A + "q\r")
    child.expect_exact("\x01Q")  # the guest received Ctrl-A itself, then q


def test_ctrl_a_x_exits(pty_session):
    child = pty_session
    child.send(CTRL_A + "x")
    child.expect(r"(QEMU|emu): Terminated")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
