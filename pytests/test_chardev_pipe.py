"""The pipe chardev (-serial pipe:P, -chardev pipe,path=P): the guest's serial
port talks through the host FIFOs P.in and P.out, or through P alone when
those do not exist. Runs on emu and on QEMU (PEER_PYTESTS).
"""
import os
import select
import subprocess
import time

import pytest

from emutest import config
from emutest.terminal import echo_board

ECHO_READY = b"echo guest ready"


def read_until(fd: int, marker: bytes, timeout: float = 20.0) -> bytes:
    """Reads the FIFO until `marker` has arrived; fails with what came so far."""
    deadline = time.monotonic() + config.scaled(timeout)
    seen = b""
    while marker not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {marker!r} from the guest; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            seen += os.read(fd, 4096)
    return seen


@pytest.fixture
def fifos(tmp_path):
    base = tmp_path / "serial"
    os.mkfifo(f"{base}.in")
    os.mkfifo(f"{base}.out")
    return base


@pytest.mark.parametrize("spelling", ["serial", "chardev"])
def test_guest_talks_through_the_in_and_out_fifos(machine, echo_guest, fifos, spelling):
    if spelling == "serial":
        serial = [f"pipe:{fifos}"]
    else:
        serial = ["chardev:p0", "-chardev", f"pipe,id=p0,path={fifos}"]
    args = echo_board(echo_guest, serial=serial[0]) + serial[1:]
    # Our end opens read-write as well, so neither side waits for the other.
    output = os.open(f"{fifos}.out", os.O_RDWR | os.O_NONBLOCK)
    guest_input = os.open(f"{fifos}.in", os.O_RDWR | os.O_NONBLOCK)
    try:
        vm = machine(args, console=False)
        read_until(output, ECHO_READY)
        os.write(guest_input, b"through a pipe\r")
        assert b"THROUGH A PIPE" in read_until(output, b"THROUGH A PIPE")
        chardevs = {entry["label"]: entry for entry in vm.qmp.command("query-chardev")}
        label = "serial0" if spelling == "serial" else "p0"
        assert chardevs[label]["filename"].startswith("pipe")
    finally:
        os.close(output)
        os.close(guest_input)


def test_missing_fifo_is_one_clear_error(tmp_path, emu_binary):
    missing = tmp_path / "nothing-here"
    result = subprocess.run([emu_binary, "-M", "virt", "-display", "none", "-nodefaults", "-serial", f"pipe:{missing}"],
                            capture_output=True, text=True, timeout=config.scaled(20))
    assert result.returncode == 1
    # emu says it in one line; QEMU 7.2 adds a second ("could not connect serial device ...").
    first_line = result.stderr.strip().splitlines()[0]
    assert f"could not open '{missing}'" in first_line.lower(), result.stderr
