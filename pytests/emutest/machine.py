"""One emulator process, driven the way a user drives it: command line, QMP, serial console.

    with Machine(["-M", "virt", "-bios", "none", "-kernel", demo_elf]) as vm:
        vm.console.expect("emu demo: powering off")
        assert vm.wait() == 0

What the harness adds to the command line (see Machine.command_line):

    -qmp unix:DIR/qmp.sock,server=on,wait=off         (qmp=True; plus qmp1.sock... for extra monitors)
    -serial unix:DIR/serial.sock,server=on,wait=off   (console=True)
    -monitor unix:DIR/monitor.sock,server=on,wait=off (monitor=True; connect_monitor() types on it)
    -display none -nodefaults                         (defaults=True, unless already given)
    -S                                                (see "Holding the start" below)

Holding the start: with wait=off, whatever the guest prints before the
console socket is connected is lost. So, when the test did not pass -S
itself, the harness adds -S, connects QMP and the console, sends `cont`,
waits for its RESUME event and then clears the event list: the test starts
with a running guest, all of its output, and no harness events.

Cleanup: shutdown() (also run by `with` and by the pytest fixtures) asks
politely with QMP `quit`, then sends SIGTERM, then SIGKILL, each after a
timeout; it always reaps the process and removes the temporary directory
(and with it the sockets). A weakref finalizer does the hard part (kill,
reap, remove) even if shutdown() is never called. Logs (serial output, QMP
transcript, stdout, stderr) stay readable after shutdown, for failure reports.
"""

import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import weakref
from pathlib import Path

from . import config
from .console import Console
from .hmp import HmpTerminal
from .qmp import QMPClient, QMPConnectionClosed, QMPError, QMPTimeout
from .sockets import EmulatorExited
from .transcript import Transcript

START_TIMEOUT = 20.0  # seconds for the sockets to appear, before EMU_TIMEOUT_SCALE
STOP_TIMEOUT = 5.0  # seconds allowed for each step of shutdown (quit, SIGTERM)


class MachineError(RuntimeError):
    """The emulator could not be started (bad arguments, missing binary, crash at start)."""


# The pytest plugin installs a callable here so that every Machine a test
# starts (through the fixtures or directly) is reported if the test fails.
_observer = None


def set_observer(callback):
    """Registers callback(machine), called when a Machine starts; returns the previous one."""
    global _observer
    previous, _observer = _observer, callback
    return previous


def _has_option(args, *names) -> bool:
    """True if the command line carries one of the options (either -opt or --opt spelling)."""
    spelled = {f"-{name}" for name in names} | {f"--{name}" for name in names}
    return any(str(arg) in spelled for arg in args)


def _hard_cleanup(process, directory):
    """Finalizer: must not reference the Machine. Kills, reaps, removes; idempotent."""
    if process is not None and process.poll() is None:
        try:
            process.kill()
        except ProcessLookupError:
            pass
        process.wait()
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


class Machine:
    def __init__(self, args, *, binary=None, qmp: bool = True, console: bool = True, extra_qmp_monitors: int = 0,
                 negotiate: bool = True, defaults: bool = True, name: str = "machine", env: dict = None,
                 monitor: bool = False):
        """Describes the machine; nothing runs until start() (or `with`).

        args: the emulator's arguments (str or Path), e.g. ["-M", "virt", "-S"].
        binary: defaults to config.emulator_binary() ($EMU_BINARY).
        qmp: add a QMP monitor and connect `self.qmp` to it.
        extra_qmp_monitors: further -qmp sockets (qmp1.sock, ...) for connect_qmp(index).
        negotiate: send qmp_capabilities on `self.qmp` (False leaves it in
            negotiation mode, for protocol tests; the start is then not held).
        console: add a serial socket and connect `self.console` to it.
        monitor: add an interactive HMP monitor socket (connect_monitor() opens a terminal on it).
        defaults: add -display none and -nodefaults unless given.
        """
        self.args = [str(arg) for arg in args]
        self.binary = Path(binary) if binary is not None else config.emulator_binary()
        self.name = name
        self._want_qmp = qmp
        self._want_console = console
        self._want_monitor = monitor
        self._extra_qmp_monitors = extra_qmp_monitors
        self._negotiate = negotiate
        self._defaults = defaults
        self._env = env
        self.paused_by_user = _has_option(self.args, "S")
        self._hold_start = qmp and negotiate and console and not self.paused_by_user
        self.transcript = Transcript()
        self.tempdir = None
        self.process = None
        self.qmp = None
        self.console = None
        self.command_line = None
        self._clients = []
        self._connections_per_monitor = {}
        self._consoles = []
        self._stdout_text = None
        self._stderr_text = None
        self._finalizer = None
        self._shut_down = False
        self.exitcode = None

    # ---- life cycle -----------------------------------------------------

    def qmp_socket(self, index: int = 0) -> Path:
        return Path(self.tempdir) / ("qmp.sock" if index == 0 else f"qmp{index}.sock")

    @property
    def serial_socket(self) -> Path:
        return Path(self.tempdir) / "serial.sock"

    @property
    def monitor_socket(self) -> Path:
        return Path(self.tempdir) / "monitor.sock"

    def _build_command_line(self):
        line = [str(self.binary)]
        if self._want_qmp:
            for index in range(1 + self._extra_qmp_monitors):
                line += ["-qmp", f"unix:{self.qmp_socket(index)},server=on,wait=off"]
        if self._want_console:
            line += ["-serial", f"unix:{self.serial_socket},server=on,wait=off"]
        if self._want_monitor:
            line += ["-monitor", f"unix:{self.monitor_socket},server=on,wait=off"]
        if self._defaults:
            if not _has_option(self.args, "display", "nographic"):
                line += ["-display", "none"]
            if not _has_option(self.args, "nodefaults"):
                line += ["-nodefaults"]
        if self._hold_start:
            line += ["-S"]
        return line + self.args

    def start(self) -> "Machine":
        if self.process is not None:
            raise MachineError("a Machine can be started once")
        if not self.binary.exists():
            raise MachineError(f"emulator binary {self.binary} not found (build it, or set EMU_BINARY /"
                               f" EMU_BUILD_DIR)")
        # A short, fresh directory: unix socket paths are limited to 107 bytes.
        self.tempdir = tempfile.mkdtemp(prefix="emutest-")
        self.command_line = self._build_command_line()
        self._stdout_file = open(Path(self.tempdir) / "stdout.log", "wb")
        self._stderr_file = open(Path(self.tempdir) / "stderr.log", "wb")
        try:
            self.process = subprocess.Popen(self.command_line, cwd=self.tempdir, stdin=subprocess.DEVNULL,
                                            stdout=self._stdout_file, stderr=self._stderr_file,
                                            env=self._env, start_new_session=True)
        except OSError as error:
            self._stdout_file.close()
            self._stderr_file.close()
            shutil.rmtree(self.tempdir, ignore_errors=True)
            raise MachineError(f"cannot run {self.binary}: {error}") from error
        self._finalizer = weakref.finalize(self, _hard_cleanup, self.process, self.tempdir)
        if _observer is not None:
            _observer(self)
        try:
            self._connect_all()
        except BaseException as error:
            self.shutdown()
            if isinstance(error, (EmulatorExited, TimeoutError, QMPError, QMPConnectionClosed)):
                raise MachineError(f"{self.name} did not start: {error}\n"
                                   f"command line: {self.command_line_text}\n"
                                   f"stderr:\n{self.stderr}") from error
            raise
        return self

    def _connect_all(self):
        timeout = config.scaled(START_TIMEOUT)
        if self._want_qmp:
            self.qmp = self.connect_qmp(0, negotiate=self._negotiate, timeout=timeout)
        if self._want_console:
            self.console = Console.connect(self.serial_socket, label="serial0", timeout=timeout,
                                           exit_status=self.process.poll)
            self._consoles.append(self.console)
            if self.qmp is not None and self._negotiate:
                self._wait_until_console_accepted(timeout)
        if self._hold_start:
            self.qmp.command("cont")
            resumed = self.qmp.wait_event("RESUME", timeout=timeout)
            # A fast guest may already have sent events after RESUME (a demo that
            # powers off at once): those belong to the test.
            self.qmp.clear_events(through=resumed)
            self.transcript.note("harness", "start released: events up to RESUME are hidden from the test")

    def _wait_until_console_accepted(self, timeout: float):
        """Waits until the emulator has accepted the console connection (query-chardev says so).

        connect() returns as soon as the kernel queues the connection; output the
        guest prints before the emulator accepts it would be lost.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                chardevs = self.qmp.command("query-chardev")
            except QMPError:
                return  # no query-chardev: nothing to wait on (the conformance tests catch that)
            ours = [entry for entry in chardevs if str(self.serial_socket) in entry.get("filename", "")]
            if ours and not any(entry["filename"].startswith("disconnected:") for entry in ours):
                return
            if time.monotonic() >= deadline:
                raise TimeoutError(f"the emulator did not accept the console connection within {timeout:.1f} s")
            time.sleep(0.005)

    def connect_qmp(self, index: int = 0, *, negotiate: bool = True, timeout: float = None) -> QMPClient:
        """A new client on monitor `index` (0 = qmp.sock); it is closed at shutdown."""
        earlier = self._connections_per_monitor.get(index, 0)
        self._connections_per_monitor[index] = earlier + 1
        label = f"qmp{index}" if earlier == 0 else f"qmp{index}.{earlier}"  # qmp0, then qmp0.1 on reconnect
        client = QMPClient.connect(self.qmp_socket(index), label=label, transcript=self.transcript,
                                   timeout=timeout or config.scaled(START_TIMEOUT), exit_status=self.process.poll)
        self._clients.append(client)
        if negotiate:
            client.negotiate()
        return client

    def connect_monitor(self, *, timeout: float = None) -> HmpTerminal:
        """A terminal on the HMP monitor socket (monitor=True), past its banner and first prompt.

        Its console (terminal.console) is closed at shutdown and shown in failure reports.
        """
        if not self._want_monitor:
            raise MachineError("connect_monitor() needs Machine(..., monitor=True)")
        timeout = timeout or config.scaled(START_TIMEOUT)
        console = Console.connect(self.monitor_socket, label="monitor", timeout=timeout,
                                  exit_status=self.process.poll)
        self._consoles.append(console)
        return HmpTerminal(console, timeout=timeout)

    def __enter__(self) -> "Machine":
        if self.process is None:
            self.start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()

    @property
    def pid(self):
        return self.process.pid if self.process is not None else None

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait(self, timeout: float = 30.0) -> int:
        """Waits for the emulator to exit on its own (guest power-off, quit); returns the exit status.

        Raises subprocess.TimeoutExpired if it is still running after `timeout` (scaled) seconds.
        """
        self.exitcode = self.process.wait(timeout=config.scaled(timeout))
        return self.exitcode

    def shutdown(self, timeout: float = STOP_TIMEOUT) -> int:
        """Stops the emulator (QMP quit, then SIGTERM, then SIGKILL) and cleans up. Idempotent.

        Returns the exit status (negative: killed by that signal).
        """
        if self._shut_down or self.process is None:
            return self.exitcode
        self._shut_down = True
        timeout = config.scaled(timeout)
        try:
            if self.process.poll() is None:
                self._ask_to_quit(timeout)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if self.process.poll() is not None:
                    break
                self.transcript.note("harness", f"sending {sig.name} to pid {self.process.pid}")
                self.process.send_signal(sig)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    pass
            self.exitcode = self.process.wait()
        finally:
            for client in self._clients:
                client.close()
            for console in self._consoles:
                console.close()
            self._capture_logs()
            self._finalizer()  # reaps (already done) and removes the directory with its sockets
        return self.exitcode

    def _ask_to_quit(self, timeout: float):
        client = next((c for c in self._clients if not c.closed), None)
        if client is None:
            return
        try:
            if not client.negotiated:
                client.execute("qmp_capabilities", timeout=timeout)
            client.execute("quit", timeout=timeout)
        except (QMPTimeout, QMPConnectionClosed, QMPError, OSError):
            pass  # it may have exited already, or its monitor may be wedged: signals follow
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass

    def kill(self):
        """SIGKILL now (for tests of abrupt exits); shutdown() still cleans up."""
        if self.is_running():
            self.process.kill()
            self.process.wait()

    def _capture_logs(self):
        for attribute, handle in (("_stdout_text", self._stdout_file), ("_stderr_text", self._stderr_file)):
            handle.close()
            try:
                setattr(self, attribute, Path(handle.name).read_bytes().decode(errors="replace"))
            except OSError:
                setattr(self, attribute, "")

    # ---- conveniences ---------------------------------------------------

    def events(self, name: str = None) -> list:
        """Events seen by the main QMP client so far, optionally filtered by name."""
        return self.qmp.events(name)

    def wait_event(self, name: str = None, *, timeout: float = None, match=None) -> dict:
        return self.qmp.wait_event(name, timeout=timeout, match=match)

    def hmp(self, command_line: str) -> str:
        return self.qmp.hmp(command_line)

    # ---- logs, for humans and for failure reports ------------------------

    @property
    def command_line_text(self) -> str:
        return shlex.join(self.command_line) if self.command_line else "(not started)"

    def _live_log(self, attribute: str, filename: str) -> str:
        text = getattr(self, attribute)
        if text is not None:
            return text
        if self.tempdir is None:
            return ""
        try:
            return (Path(self.tempdir) / filename).read_bytes().decode(errors="replace")
        except OSError:
            return ""

    @property
    def stderr(self) -> str:
        return self._live_log("_stderr_text", "stderr.log")

    @property
    def stdout(self) -> str:
        return self._live_log("_stdout_text", "stdout.log")

    @property
    def serial_log(self) -> str:
        if self.console is None:
            return "(no console)" if not self._want_console else "(the console was never connected)"
        return self.console.output

    def report_sections(self):
        """(title, text) pairs describing this machine, for a failed test's report."""
        status = ("running" if self.is_running() else
                  f"exited with status {self.process.returncode}" if self.process is not None else "not started")
        sections = [
            (f"{self.name}: command line", f"{self.command_line_text}\n(pid {self.pid}, {status})"),
            (f"{self.name}: serial console", self.serial_log),
            (f"{self.name}: QMP transcript (-> to the emulator, <- from it)",
             self.transcript.format() if self._want_qmp else "(no QMP)"),
            (f"{self.name}: stderr", self.stderr),
        ]
        for console in self._consoles:
            if console is not self.console:
                sections.append((f"{self.name}: {console.label} terminal", console.output))
        if self.stdout:
            sections.append((f"{self.name}: stdout", self.stdout))
        return sections

    def __repr__(self):
        return f"<Machine {self.name} pid={self.pid} {self.command_line_text}>"


def process_exists(pid: int) -> bool:
    """True while /proc has an entry for pid (a zombie counts: it was not reaped)."""
    return os.path.exists(f"/proc/{pid}")
