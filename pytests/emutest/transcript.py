"""A record of every QMP message exchanged with one machine, in both directions.

Each entry keeps the time since the machine started, the client's label
(qmp0, qmp1, ...), the direction and the exact text on the wire (one line per
message, without the trailing CRLF). "->" is what the test sent to the
emulator, "<-" what the emulator sent back. The formatted text is what the
pytest plugin attaches to a failing test's report.
"""

import threading
import time

# Messages longer than this are shortened when formatted (a conformance test
# sends a 1 MiB string); the entry itself keeps the full text.
FORMAT_LIMIT = 4096

SENT = "->"
RECEIVED = "<-"


class Transcript:
    def __init__(self):
        self._start = time.monotonic()
        self._entries = []
        self._lock = threading.Lock()

    def record(self, label: str, direction: str, text: str):
        with self._lock:
            self._entries.append((time.monotonic() - self._start, label, direction, text))

    def note(self, label: str, text: str):
        """A harness remark (connect, disconnect, EOF) that is not a message."""
        self.record(label, "--", text)

    def entries(self):
        with self._lock:
            return list(self._entries)

    def format(self) -> str:
        lines = []
        for seconds, label, direction, text in self.entries():
            if len(text) > FORMAT_LIMIT:
                text = f"{text[:FORMAT_LIMIT]}... [{len(text)} characters in all]"
            lines.append(f"{seconds:8.3f} {label} {direction} {text}")
        return "\n".join(lines)
