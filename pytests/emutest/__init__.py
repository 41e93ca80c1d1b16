"""emutest: drive emu (or QEMU, the peer) like a user, for pytest.

See docs/testing.md. The pieces:
    Machine     (machine.py)   process, command line, clean shutdown, logs
    QMPClient   (qmp.py)       QMP over a unix socket, events, transcript
    Console     (console.py)   serial console: expect / send / output
    HmpTerminal (hmp.py)       an interactive HMP monitor: prompt, typed lines, answers
    on_pty      (terminal.py)  the emulator on a real terminal (pexpect)
    SocketReader (sockets.py)  the reader thread under Console and QMPClient
    GuestImages (images.py)    where guest images live
    plugin      (plugin.py)    fixtures, markers, failure reports
"""

from .config import emulator_binary, guest_images_dir, is_qemu, scaled
from .console import Console, ConsoleClosed, ExpectTimeout
from .images import GuestImages, linux_disk_report
from .machine import Machine, MachineError, process_exists
from .qmp import QMPClient, QMPConnectionClosed, QMPError, QMPProtocolError, QMPTimeout

__all__ = [
    "Console", "ConsoleClosed", "ExpectTimeout", "GuestImages", "Machine", "MachineError", "QMPClient",
    "QMPConnectionClosed", "QMPError", "QMPProtocolError", "QMPTimeout", "emulator_binary", "guest_images_dir",
    "is_qemu", "linux_disk_report", "process_exists", "scaled",
]
