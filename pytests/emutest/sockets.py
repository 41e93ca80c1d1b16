"""Connecting to a unix socket that an emulator is still busy creating."""

import socket
import time


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
