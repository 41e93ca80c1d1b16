"""The emulator on a real terminal: a pty, driven with pexpect.

For what only a terminal shows: raw mode and its restoration, the mux's
Ctrl-A escapes on `-serial mon:stdio`, Ctrl-C as a signal or as a byte.

    with on_pty(emu_binary, echo_board(echo_guest)) as child:
        child.expect_exact(ECHO_READY)
        child.send("\\x01c")          # Ctrl-A c: to the monitor
"""

import contextlib

import pexpect

from . import config

ECHO_READY = "echo guest ready"  # what the echo_guest fixture's guest prints first


def echo_board(echo_guest, serial: str = "mon:stdio") -> list:
    """Arguments for the echo guest with its serial port on the emulator's stdio (the pty)."""
    return ["-M", "virt", "-bios", "none", "-display", "none", "-nodefaults", "-serial", serial,
            "-kernel", str(echo_guest)]


@contextlib.contextmanager
def on_pty(binary, args, *, timeout: float = 20.0):
    """Runs `binary args` with a new pty as its terminal; yields the pexpect child (text, UTF-8).

    At the end the child is closed (killed if still running); child.exitstatus
    and child.signalstatus are then set.
    """
    child = pexpect.spawn(str(binary), [str(arg) for arg in args], timeout=config.scaled(timeout),
                          encoding="utf-8", codec_errors="replace")
    try:
        yield child
    finally:
        child.close(force=True)
