"""A QMP client written for tests: plain sockets and json, no third-party code.

QMP (the QEMU Machine Protocol) exchanges JSON objects, one per line, over a
stream socket. The server speaks first with a greeting; the client must send
`qmp_capabilities` before any other command; every command gets exactly one
response ({"return": ...} or {"error": {"class", "desc"}}), in the order the
commands were sent; events ({"event", "data", "timestamp"}) may arrive at any
time, also between a command and its response.

A reader thread sorts incoming messages into responses and events, so a test
can wait for either with a timeout while the emulator keeps talking. Every
line in both directions goes into the machine's Transcript.
"""

import collections
import json
import socket
import time

from . import config
from .sockets import SocketReader, connect_unix
from .transcript import RECEIVED, SENT, Transcript

DEFAULT_TIMEOUT = 30.0  # seconds, before EMU_TIMEOUT_SCALE

_NO_ID = object()


class QMPError(Exception):
    """A command answered with {"error": {"class": ..., "desc": ...}}."""

    def __init__(self, command: str, response: dict):
        error = response.get("error", {})
        self.command = command
        self.response = response
        self.error_class = error.get("class")
        self.desc = error.get("desc")
        super().__init__(f"{command}: {self.error_class}: {self.desc}")


class QMPProtocolError(Exception):
    """The server sent something that is not a QMP message (not JSON, not an object, ...)."""


class QMPConnectionClosed(ConnectionError):
    """The server closed the connection (or the client was closed) while a response was awaited."""


class QMPTimeout(TimeoutError):
    pass


class _Unparsable:
    def __init__(self, text: str, reason: str):
        self.text = text
        self.reason = reason


class QMPClient(SocketReader):
    """One QMP connection.

    Typical use (Machine does the connecting and negotiating for you):

        client = QMPClient.connect(path)
        client.negotiate()
        client.command("stop")
        client.wait_event("STOP")
        client.hmp("info status")      # -> "VM status: paused\\r\\n"
    """

    def __init__(self, connection: socket.socket, *, label: str = "qmp", transcript: Transcript = None,
                 greeting_timeout: float = None):
        super().__init__(connection, label=label)
        self.transcript = transcript if transcript is not None else Transcript()
        self._pending = b""  # a line not yet complete
        self._responses = collections.deque()
        self._events = []  # every event received, in order
        self._consumed = set()  # indices into _events already returned by wait_event()
        self._arrivals = []  # every message (responses and events) in arrival order
        self._closed_by_us = False
        self.negotiated = False  # set once qmp_capabilities succeeds through execute()/command()
        self.transcript.note(label, "connected")
        self._start_reading()
        greeting = self._next_response(greeting_timeout or config.scaled(DEFAULT_TIMEOUT), "the greeting")
        if not isinstance(greeting, dict) or "QMP" not in greeting:
            raise QMPProtocolError(f"expected a QMP greeting, got {greeting!r}")
        self.greeting = greeting

    @classmethod
    def connect(cls, path, *, label: str = "qmp", transcript: Transcript = None, timeout: float = None,
                exit_status=None) -> "QMPClient":
        """Connects to a `-qmp unix:PATH,server=on` socket and reads the greeting (no negotiation)."""
        timeout = timeout or config.scaled(DEFAULT_TIMEOUT)
        connection = connect_unix(path, timeout, exit_status)
        return cls(connection, label=label, transcript=transcript, greeting_timeout=timeout)

    # ---- sending --------------------------------------------------------

    def send_raw(self, data):
        """Sends bytes (or text) exactly as given: for malformed or pipelined input."""
        if isinstance(data, str):
            data = data.encode()
        for line in data.decode(errors="replace").rstrip("\r\n").split("\n"):
            self.transcript.record(self.label, SENT, line)
        try:
            self._socket.sendall(data)
        except OSError as error:
            raise QMPConnectionClosed(f"{self.label}: send failed: {error}") from error

    def send_message(self, message: dict):
        self.send_raw(json.dumps(message) + "\n")

    def negotiate(self, timeout: float = None):
        """Leaves capabilities-negotiation mode (qmp_capabilities) so other commands work."""
        return self.command("qmp_capabilities", timeout=timeout)

    def execute(self, name: str, arguments: dict = None, *, id=_NO_ID, timeout: float = None) -> dict:
        """Sends one command and returns its whole response: {"return": ...} or {"error": ...}."""
        message = {"execute": name}
        if arguments is not None:
            message["arguments"] = arguments
        if id is not _NO_ID:
            message["id"] = id
        self.send_message(message)
        response = self.receive(timeout, what=f"the response to {name}")
        if name == "qmp_capabilities" and "return" in response:
            self.negotiated = True
        return response

    def command(self, name: str, arguments: dict = None, *, timeout: float = None):
        """Sends one command and returns its "return" value; raises QMPError on an error response."""
        response = self.execute(name, arguments, timeout=timeout)
        if "error" in response:
            raise QMPError(name, response)
        if "return" not in response:
            raise QMPProtocolError(f"{name}: response has neither return nor error: {response!r}")
        return response["return"]

    def hmp(self, command_line: str, *, timeout: float = None) -> str:
        """Runs a human monitor command through human-monitor-command and returns its text output."""
        return self.command("human-monitor-command", {"command-line": command_line}, timeout=timeout)

    # ---- receiving ------------------------------------------------------

    def receive(self, timeout: float = None, *, what: str = "a response") -> dict:
        """The next message that is not an event (responses arrive in command order)."""
        message = self._next_response(timeout or config.scaled(DEFAULT_TIMEOUT), what)
        if isinstance(message, _Unparsable):
            raise QMPProtocolError(f"{self.label}: {message.reason}: {message.text[:200]!r}")
        return message

    def _next_response(self, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        with self._condition:
            while not self._responses:
                if self._eof:
                    raise QMPConnectionClosed(f"{self.label}: connection closed while waiting for {what}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QMPTimeout(f"{self.label}: no {what} within {timeout:.1f} s")
                self._condition.wait(remaining)
            return self._responses.popleft()

    def events(self, name: str = None) -> list:
        """Every event received so far (optionally only those called `name`), oldest first."""
        with self._condition:
            return [event for event in self._events if name is None or event.get("event") == name]

    def wait_event(self, name: str = None, *, timeout: float = None, match=None) -> dict:
        """Waits for an event not yet returned by wait_event, and returns it.

        `name` filters by event name; `match` is a dict that must be a subset of
        the event's "data", or a callable taking the event and returning bool.
        Each event is returned at most once, so two waits for "STOP" need two
        STOP events.
        """
        timeout = timeout or config.scaled(DEFAULT_TIMEOUT)
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                for index, event in enumerate(self._events):
                    if index not in self._consumed and _event_matches(event, name, match):
                        self._consumed.add(index)
                        return event
                if self._eof:
                    raise QMPConnectionClosed(f"{self.label}: connection closed while waiting for event {name}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [event.get("event") for event in self._events]
                    raise QMPTimeout(f"{self.label}: no event {name or '(any)'} within {timeout:.1f} s;"
                                     f" events so far: {seen}")
                self._condition.wait(remaining)

    def resync(self, timeout: float = None):
        """Discards unread responses and all events, so the next receive() answers the next command.

        Sends a query-status with a fresh id and drops everything up to its
        answer: for a client shared between tests.
        """
        self._resync_count = getattr(self, "_resync_count", 0) + 1
        marker = f"emutest-resync-{self._resync_count}"
        self.send_message({"execute": "query-status", "id": marker})
        while True:
            message = self.receive(timeout, what=f"the answer to {marker}")
            if message.get("id") == marker:
                break
        self.clear_events()

    def received_messages(self) -> list:
        """Every message received so far (greeting, responses, events) in arrival order."""
        with self._condition:
            return list(self._arrivals)

    def clear_events(self, through: dict = None):
        """Forgets every event, or with `through` only that event and the ones before it
        (events that arrived after it stay visible)."""
        with self._condition:
            if through is None:
                self._events.clear()
            else:
                index = next(i for i, event in enumerate(self._events) if event is through)
                del self._events[:index + 1]
            self._consumed.clear()

    def close(self):
        """Disconnects (idempotent) and stops the reader thread."""
        with self._condition:
            self._closed_by_us = True
        super().close()

    # ---- reader thread --------------------------------------------------

    def _received(self, chunk: bytes):
        *lines, self._pending = (self._pending + chunk).split(b"\n")
        for line in lines:
            self._dispatch(line)

    def _ended(self):
        if self._pending.strip():
            self._dispatch(self._pending)
        self.transcript.note(self.label, "disconnected by the harness" if self._closed_by_us
                             else "connection closed by the emulator")

    def _dispatch(self, line: bytes):
        text = line.decode(errors="replace").rstrip("\r")
        if not text.strip():
            return
        self.transcript.record(self.label, RECEIVED, text)
        try:
            message = json.loads(text)
        except (ValueError, RecursionError) as error:  # RecursionError: nesting deeper than Python's json allows
            message = _Unparsable(text, f"not JSON ({type(error).__name__}: {error})")
        else:
            if not isinstance(message, dict):
                message = _Unparsable(text, "not a JSON object")
        with self._condition:
            self._arrivals.append(message)
            if isinstance(message, dict) and "event" in message:
                self._events.append(message)
            else:
                self._responses.append(message)
            self._condition.notify_all()


def _event_matches(event: dict, name, match) -> bool:
    if name is not None and event.get("event") != name:
        return False
    if match is None:
        return True
    if callable(match):
        return bool(match(event))
    data = event.get("data", {})
    return all(key in data and data[key] == value for key, value in match.items())
