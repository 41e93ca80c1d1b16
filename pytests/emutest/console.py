"""The guest's serial console, reached through a `-serial unix:PATH,server=on` socket.

A reader thread collects everything the guest prints. `expect()` searches
that output from a cursor, so successive expects walk forward through it the
way a person reads a terminal; `output` is everything so far.
"""

import codecs
import re
import socket
import time

from . import config
from .sockets import SocketReader, connect_unix

DEFAULT_TIMEOUT = 30.0  # seconds, before EMU_TIMEOUT_SCALE
TAIL_CHARACTERS = 2000  # how much output an expect() timeout shows


class ExpectTimeout(AssertionError):
    """expect() gave up; the message carries the pattern and the tail of the output."""


class ConsoleClosed(AssertionError):
    """The emulator closed the console (usually: it exited) before the pattern appeared."""


def _printable(text: str) -> str:
    """Output as a reader should see it: CRLF as newline, other control characters made visible."""
    text = text.replace("\r\n", "\n")
    return "".join(c if c == "\n" or c == "\t" or c.isprintable() else repr(c)[1:-1] for c in text)


class Console(SocketReader):
    def __init__(self, connection: socket.socket, *, label: str = "serial0"):
        super().__init__(connection, label=label)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._text = ""
        self._cursor = 0  # expect() searches from here
        self._start_reading()

    @classmethod
    def connect(cls, path, *, label: str = "serial0", timeout: float = None, exit_status=None) -> "Console":
        connection = connect_unix(path, timeout or config.scaled(DEFAULT_TIMEOUT), exit_status)
        return cls(connection, label=label)

    @property
    def output(self) -> str:
        """Everything the guest printed so far (decoded as UTF-8, invalid bytes replaced)."""
        with self._condition:
            return self._text

    def expect(self, pattern, timeout: float = None, *, regex: bool = False) -> re.Match:
        """Waits until `pattern` appears in the output after the cursor; returns the match.

        `pattern` is a literal string, or a compiled regular expression, or a
        string regular expression with regex=True. On success the cursor moves
        past the match. On timeout raises ExpectTimeout with the output's tail;
        if the console closes first, raises ConsoleClosed.
        """
        if isinstance(pattern, re.Pattern):
            compiled, shown = pattern, f"regex {pattern.pattern!r}"
        elif regex:
            compiled, shown = re.compile(pattern), f"regex {pattern!r}"
        else:
            compiled, shown = re.compile(re.escape(pattern)), repr(pattern)
        timeout = timeout if timeout is not None else config.scaled(DEFAULT_TIMEOUT)
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                found = compiled.search(self._text, self._cursor)
                if found:
                    self._cursor = found.end()
                    return found
                if self._eof:
                    raise ConsoleClosed(self._failure(f"the console closed before {shown} appeared"))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ExpectTimeout(self._failure(
                        f"timed out after {timeout:.1f} s waiting for {shown} on {self.label}"))
                self._condition.wait(remaining)

    def _failure(self, headline: str) -> str:
        tail = self._text[-TAIL_CHARACTERS:]
        omitted = len(self._text) - len(tail)
        note = f" (last {len(tail)} of {len(self._text)} characters)" if omitted else ""
        return f"{headline}\n--- console output{note} ---\n{_printable(tail)}\n--- end of console output ---"

    def send(self, text):
        """Types `text` (str or bytes) exactly as given."""
        data = text.encode() if isinstance(text, str) else bytes(text)
        self._socket.sendall(data)

    def send_line(self, text: str, end: str = "\n"):
        """Types `text` followed by a newline (end="\\r" to press Enter like a terminal would)."""
        self.send(text + end)

    def _received(self, chunk: bytes):
        with self._condition:
            self._text += self._decoder.decode(chunk)
            self._condition.notify_all()

    def _ended(self):
        with self._condition:
            self._text += self._decoder.decode(b"", final=True)
