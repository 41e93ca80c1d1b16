"""Tests of the harness itself (pytests/emutest): console, QMP client, cleanup, plugin reports.

The console and QMP client are tested against fake peers over socket pairs;
cleanup and reporting against the real emulator (EMU_BINARY).
"""

import gc
import json
import os
import re
import signal
import socket
import textwrap
import threading
import time
from pathlib import Path

import pytest

from emutest import (Console, ConsoleClosed, ExpectTimeout, Machine, MachineError, QMPClient, QMPConnectionClosed,
                     QMPTimeout, is_qemu, process_exists)
from emutest import machine as machine_module

PAUSED_BOARD = ["-M", "virt", "-bios", "none", "-S"]
PYTESTS_DIR = Path(__file__).resolve().parent


# ---- console, against a fake guest ------------------------------------------------

@pytest.fixture
def console_pair():
    ours, guest = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    console = Console(ours, label="fake-serial")
    yield console, guest
    guest.close()
    console.close()


def test_expect_literal_and_regex_walk_forward(console_pair):
    console, guest = console_pair
    guest.sendall(b"login: root\nvalue=42 value=43\n")
    assert console.expect("login:").group(0) == "login:"
    first = console.expect(r"value=(\d+)", regex=True)
    second = console.expect(re.compile(r"value=(\d+)"))
    assert (first.group(1), second.group(1)) == ("42", "43")
    assert console.output == "login: root\nvalue=42 value=43\n"


def test_expect_treats_a_string_as_literal(console_pair):
    console, guest = console_pair
    guest.sendall(b"cost: $5 (approx.)\n")
    assert console.expect("$5 (approx.)").group(0) == "$5 (approx.)"


def test_expect_timeout_shows_the_tail_of_the_output(console_pair):
    console, guest = console_pair
    guest.sendall(b"EARLY-LINE\n" + b"." * 5000 + b"\nlast words\x07\n")
    time.sleep(0.1)
    started = time.monotonic()
    with pytest.raises(ExpectTimeout) as raised:
        console.expect("never printed", timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 2
    message = str(raised.value)
    assert "'never printed'" in message and "0.3 s" in message
    assert "last words\\x07" in message  # the tail, with control characters made visible
    assert "EARLY-LINE" not in message  # only the tail
    assert "last 2000 of" in message


def test_expect_fails_fast_when_the_console_closes(console_pair):
    console, guest = console_pair
    guest.sendall(b"bye\n")
    guest.close()
    started = time.monotonic()
    with pytest.raises(ConsoleClosed, match="bye"):
        console.expect("more", timeout=10)
    assert time.monotonic() - started < 2


def test_send_reaches_the_guest(console_pair):
    console, guest = console_pair
    console.send_line("echo hello")
    console.send(b"\x03")
    guest.settimeout(2)
    received = b""
    while len(received) < 12:
        received += guest.recv(100)
    assert received == b"echo hello\n\x03"


def test_expect_sees_output_that_arrives_while_waiting(console_pair):
    console, guest = console_pair
    threading.Timer(0.2, lambda: guest.sendall(b"late\n")).start()
    assert console.expect("late", timeout=5).group(0) == "late"


# ---- QMP client, against a fake server --------------------------------------------

GREETING = {"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}, "package": ""}, "capabilities": []}}


class FakeServer:
    def __init__(self, connection):
        self.connection = connection
        self.connection.settimeout(5)
        self.buffer = b""

    def send(self, *messages):
        self.connection.sendall(b"".join(json.dumps(message).encode() + b"\r\n" for message in messages))

    def receive(self):
        while b"\n" not in self.buffer:
            self.buffer += self.connection.recv(4096)
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


@pytest.fixture
def qmp_pair():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    server = FakeServer(theirs)
    server.send(GREETING)
    client = QMPClient(ours, label="fake-qmp")
    yield client, server
    theirs.close()
    client.close()


def test_qmp_client_sorts_events_from_responses(qmp_pair):
    client, server = qmp_pair
    assert client.greeting == GREETING
    reply = threading.Thread(target=lambda: (server.receive(), server.send(
        {"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}},
        {"event": "RESET", "data": {"guest": True}, "timestamp": {"seconds": 1, "microseconds": 3}},
        {"return": {}, "id": 4})))
    reply.start()
    assert client.execute("stop", id=4) == {"return": {}, "id": 4}
    reply.join()
    assert [event["event"] for event in client.events()] == ["STOP", "RESET"]
    assert client.events("RESET")[0]["data"] == {"guest": True}
    assert client.wait_event("RESET", match={"guest": True})["event"] == "RESET"
    assert client.wait_event("STOP")["event"] == "STOP"
    with pytest.raises(QMPTimeout, match="STOP"):
        client.wait_event("STOP", timeout=0.2)  # each event is returned once
    assert [message.get("event", "response") for message in client.received_messages()] == \
        ["response", "STOP", "RESET", "response"]  # the greeting comes first


def test_qmp_transcript_records_both_directions(qmp_pair):
    client, server = qmp_pair
    threading.Thread(target=lambda: (server.receive(), server.send({"return": {"arch": "riscv64"}}))).start()
    client.command("query-target")
    transcript = client.transcript.format()
    assert 'fake-qmp -> {"execute": "query-target"}' in transcript
    assert 'fake-qmp <- {"return": {"arch": "riscv64"}}' in transcript
    assert transcript.index(" -> ") < transcript.index('<- {"return"')


def test_qmp_client_reports_a_closed_connection(qmp_pair):
    client, server = qmp_pair
    server.connection.close()
    with pytest.raises(QMPConnectionClosed):
        client.execute("query-status", timeout=5)
    assert client.wait_closed(timeout=5) and client.closed


# ---- the real emulator: start, cleanup -----------------------------------------------

def assert_gone(pid, directory):
    assert not process_exists(pid), f"pid {pid} still in /proc (running or not reaped)"
    assert not os.path.exists(directory), f"{directory} was not removed"


def test_shutdown_reaps_the_process_and_removes_the_sockets(emu_binary):
    with Machine(PAUSED_BOARD, binary=emu_binary) as vm:
        pid, directory = vm.pid, vm.tempdir
        assert process_exists(pid)
        assert vm.qmp_socket().exists() and vm.serial_socket.exists()
    assert_gone(pid, directory)
    assert vm.exitcode == 0  # it quit when asked
    assert "qmp_capabilities" in vm.transcript.format()  # logs outlive the directory


def test_shutdown_escalates_to_sigkill(emu_binary):
    vm = Machine(PAUSED_BOARD, binary=emu_binary).start()
    pid, directory = vm.pid, vm.tempdir
    os.kill(pid, signal.SIGSTOP)  # a wedged emulator: ignores QMP and SIGTERM
    started = time.monotonic()
    assert vm.shutdown(timeout=0.3) == -signal.SIGKILL
    assert time.monotonic() - started < 5
    assert "sending SIGTERM" in vm.transcript.format() and "sending SIGKILL" in vm.transcript.format()
    assert_gone(pid, directory)


def test_an_abandoned_machine_is_cleaned_up_by_its_finalizer(emu_binary):
    previous = machine_module.set_observer(None)  # the plugin's list would keep it alive
    try:
        vm = Machine(PAUSED_BOARD, binary=emu_binary).start()
        pid, directory = vm.pid, vm.tempdir
        del vm
        gc.collect()
    finally:
        machine_module.set_observer(previous)
    assert_gone(pid, directory)


def test_a_machine_that_fails_to_start_says_why_and_leaves_nothing(emu_binary):
    vm = Machine(["-M", "no-such-board"], binary=emu_binary)
    with pytest.raises(MachineError) as raised:
        vm.start()
    assert "no-such-board" in str(raised.value)  # the emulator's own complaint, from stderr
    assert_gone(vm.pid, vm.tempdir)
    assert vm.exitcode not in (None, 0)


def test_missing_binary(tmp_path):
    with pytest.raises(MachineError, match="not found"):
        Machine(PAUSED_BOARD, binary=tmp_path / "nothing-here").start()


@pytest.mark.guest("demo")
def test_held_start_loses_no_output(machine, guest_images):
    vm = machine(["-M", "virt", "-bios", "none", "-kernel", guest_images.demo])
    vm.console.expect("emu demo: powering off")
    assert vm.console.output.startswith("emu demo: hello from hart 0\n")
    assert vm.events("RESUME") == []  # the harness's own cont is not shown to the test
    assert vm.wait() == 0


def test_is_qemu_reads_the_version_banner(tmp_path):
    fake_emu = tmp_path / "fake-emu"
    fake_emu.write_text("#!/bin/sh\necho 'emu version 0.1.0, QEMU-compatible command line (QEMU 7.2)'\n")
    fake_emu.chmod(0o755)
    assert is_qemu(fake_emu) is False
    fake_qemu = tmp_path / "fake-qemu"
    fake_qemu.write_text("#!/bin/sh\necho 'QEMU emulator version 7.2.22'\n")
    fake_qemu.chmod(0o755)
    assert is_qemu(fake_qemu) is True


# ---- the plugin, run in a child pytest --------------------------------------------------

@pytest.fixture
def child(pytester):
    pytester.makeconftest(f"""
        import sys
        sys.path.insert(0, {str(PYTESTS_DIR)!r})
        pytest_plugins = ["emutest.plugin"]
    """)
    pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    return pytester


def test_a_failing_test_gets_the_machine_logs_attached(child):
    child.makepyfile(test_inner=textwrap.dedent("""
        def test_fails(machine):
            vm = machine(["-M", "virt", "-bios", "none", "-S"], name="inner")
            vm.qmp.command("query-status")
            assert False, "deliberate"
    """))
    junit = child.path / "report.xml"
    result = child.runpytest(f"--junitxml={junit}")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    for title in ("inner: command line", "inner: serial console", "inner: QMP transcript", "inner: stderr"):
        assert title in output, title
    assert "-qmp unix:" in output and "-serial unix:" in output
    assert 'qmp0 -> {"execute": "query-status"}' in output
    assert 'qmp0 <- {"return": {' in output and "qmp0 <- {\"QMP\"" in output
    xml = junit.read_text()
    assert 'property name="inner: command line"' in xml and "query-status" in xml


def test_a_passing_test_gets_nothing_attached(child):
    child.makepyfile(test_inner="def test_passes(machine):\n    machine(['-M', 'virt', '-bios', 'none', '-S'])\n")
    result = child.runpytest("-rA")
    result.assert_outcomes(passed=1)
    assert "QMP transcript" not in result.stdout.str()


def test_a_missing_guest_image_is_an_error_not_a_skip(child, tmp_path, monkeypatch):
    monkeypatch.setenv("EMU_GUEST_IMAGES", str(tmp_path / "empty"))
    child.makepyfile(test_inner=textwrap.dedent("""
        import pytest
        @pytest.mark.guest("linux")
        def test_needs_linux(machine):
            pass
        @pytest.mark.guest("no-such-image")
        def test_unknown_image():
            pass
    """))
    result = child.runpytest()
    result.assert_outcomes(errors=2)
    output = result.stdout.str()
    assert "linux/Image is missing" in output and "initramfs.cpio is missing" in output
    assert "unknown guest image 'no-such-image'" in output
    assert result.ret != 0


def test_unregistered_markers_are_rejected(child):
    child.makepyfile(test_inner="import pytest\n@pytest.mark.gust('demo')\ndef test_typo():\n    pass\n")
    result = child.runpytest()
    assert result.ret != 0
    assert "'gust' not found in `markers`" in result.stdout.str() + result.stderr.str()


def test_a_machine_abandoned_inside_a_test_does_not_outlive_it(child):
    pid_file = child.path / "pid"
    child.makepyfile(test_inner=textwrap.dedent(f"""
        from emutest import Machine
        def test_forgets_to_shut_down():
            vm = Machine(["-M", "virt", "-bios", "none", "-S"]).start()
            open({str(pid_file)!r}, "w").write(f"{{vm.pid}} {{vm.tempdir}}")
    """))
    child.runpytest().assert_outcomes(passed=1)
    gc.collect()
    pid, directory = pid_file.read_text().split()
    assert_gone(int(pid), directory)


def test_default_vm_fixture_is_a_paused_board(vm, qmp, console):
    assert qmp is vm.qmp and console is vm.console
    assert qmp.command("query-status")["status"] == "prelaunch"
    assert console.output == ""


@pytest.mark.machine_args("-M", "virt", "-bios", "none", "-S", "-name", "marked", extra_qmp_monitors=1)
def test_machine_args_marker_configures_the_vm_fixture(vm, qmp):
    assert qmp.command("query-name") == {"name": "marked"}
    assert vm.connect_qmp(1).command("query-target") == {"arch": "riscv64"}
