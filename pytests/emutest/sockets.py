"""Connecting to a unix socket that an emulator is still busy creating, and reading it."""

import socket
import threading
import time

from . import config


class EmulatorExited(RuntimeError):
    """The emulator process ended while the harness was waiting for it."""


def connect_unix(path, timeout: float, exit_status=None) -> socket.socket:
    """Connects to the server socket at `path`, retrying until `timeout` seconds pass.

    `exit_status` is a callable returning None while the emulator runs and its
    exit status once it has ended; the wait stops early if the emulator dies.
    """
    deadline = time.monotonic() + timeout
    while True:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(str(path))
            return connection
        except (FileNotFoundError, ConnectionRefusedError) as error:
            connection.close()
            last_error = error
        if exit_status is not None:
            status = exit_status()
            if status is not None:
                raise EmulatorExited(f"the emulator exited with status {status} before {path} accepted a connection")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"could not connect to {path} within {timeout:.1f} s: {last_error}")
        time.sleep(0.01)


class SocketReader:
    """A connection whose incoming bytes a daemon thread reads as they come.

    The Console (serial text) and the QMPClient (JSON lines) are both this:
    subclasses say what a chunk means (_received, called on the reader thread)
    and what the end means (_ended, called once before `closed` turns true).
    Waiters use self._condition, which the reader notifies on every chunk and
    at the end.
    """

    CHUNK = 65536

    def __init__(self, connection: socket.socket, *, label: str):
        self.label = label
        self._socket = connection
        self._condition = threading.Condition()
        self._eof = False
        self._reader = threading.Thread(target=self._read_loop, name=f"emutest-{label}-reader", daemon=True)

    def _start_reading(self):
        """Called by the subclass once its own state exists."""
        self._reader.start()

    def _received(self, chunk: bytes):
        raise NotImplementedError

    def _ended(self):
        pass

    @property
    def closed(self) -> bool:
        """True once the emulator closed the connection (or close() was called)."""
        with self._condition:
            return self._eof

    def wait_closed(self, timeout: float = None) -> bool:
        """Waits until the emulator closes the connection; returns whether it did."""
        deadline = time.monotonic() + (timeout or config.scaled(30))
        with self._condition:
            while not self._eof:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
            return True

    def close(self):
        """Disconnects (idempotent) and stops the reader thread."""
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._reader.join(timeout=config.scaled(10))
        self._socket.close()

    def _read_loop(self):
        try:
            while True:
                try:
                    chunk = self._socket.recv(self.CHUNK)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                self._received(chunk)
        finally:
            self._ended()
            with self._condition:
                self._eof = True
                self._condition.notify_all()
