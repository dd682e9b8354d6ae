"""The gunicorn worker of ``stadtgraph serve``: gthread, but every request is read whole in the worker's
event loop before a thread serves it, so a slow client (slowloris) holds a socket, never a thread.

gunicorn's own gthread worker hands a connection to a thread as soon as it is readable; the thread then
blocks until the headers (and the body) have arrived, without a time limit. Ten clients that send a
header byte now and then stop a worker with four threads (measured: ``/health`` unanswered for 20 s and
more). Here the event loop reads without blocking until the head and body are complete, then passes the
bytes to gunicorn's parser; it closes a client that takes longer than ``client_timeout`` for the head, or
whose body arrives slower than ``client_min_rate`` bytes/s after that (408), refuses a head over 64 KiB
(431), a chunked body over the route's limit (413) or with broken chunks (400). A declared
``Content-Length`` over the route's limit is not read at all: the app answers 413 and the connection closes.

The route's limit comes from the app: a WSGI app may offer ``stadtgraph_body_limit(method, path) -> int``
(``web/security.py`` does). TLS and HTTP/2 connections keep gunicorn's own handling.
"""
from __future__ import annotations

import json
import selectors
import socket
import time
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import unquote, urlsplit

from gunicorn import http
from gunicorn.workers.gthread import ThreadWorker

from graph.ops import metrics

HEAD_LIMIT = 64 * 1024
READ_SIZE = 64 * 1024
CHUNK_LINE_LIMIT = 4096
PROBLEMS = "https://daten.oberhausen.de/stadtgraph/problems/"
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
REFUSALS: dict[int, tuple[str, str, str]] = {
    400: ("Bad Request", "bad-request",
          "Der Inhalt der Anfrage ist fehlerhaft in Stücke geteilt. / The request body's chunked encoding is malformed."),
    408: ("Request Timeout", "request-timeout",
          "Die Anfrage kam zu langsam an. / The request arrived too slowly."),
    413: ("Payload Too Large", "payload-too-large",
          "Der Inhalt der Anfrage ist zu groß. / The request body is too large."),
    431: ("Request Header Fields Too Large", "header-too-large",
          "Die Kopfzeilen der Anfrage sind zu lang. / The request head is too long."),
}


@dataclass
class _Reading:
    """A request being read in the event loop."""

    conn: Any  # gunicorn's TConn
    buf: bytearray
    deadline: float
    registered: bool = False
    head_end: int = -1        # index just after the blank line ending the head
    body_started: float = 0.0
    need: int | None = None   # head plus declared body length
    chunked: bool = False
    chunk_pos: int = 0        # where the next chunk-size line starts
    decoded: int = 0          # chunk data bytes seen so far
    limit: int = 0


def problem_response(status: int) -> bytes:
    """A complete HTTP/1.1 answer with a problem+json body, closing the connection."""
    reason, slug, detail = REFUSALS[status]
    body = json.dumps({"type": PROBLEMS + slug, "title": reason, "status": status, "detail": detail},
                      ensure_ascii=False).encode("utf-8")
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n")
    return head.encode("ascii") + body


def head_fields(head: bytes) -> tuple[str, str, str, dict[str, list[str]]]:
    """Method, target, version and the header fields (lower-case names) of a request head."""
    lines = head.split(b"\r\n")
    parts = lines[0].decode("latin-1").split(" ")
    method, target, version = (parts + ["", "", ""])[:3] if len(parts) == 3 else ("", "", "")
    fields: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            fields.setdefault(name.decode("latin-1").strip().lower(), []).append(value.decode("latin-1").strip())
    return method, target, version, fields


def scan_chunks(reading: _Reading) -> str:
    """Advance over complete chunks: ``"more"`` (wait for data), ``"done"``, ``"large"`` (over the limit)
    or ``"bad"`` (malformed)."""
    buf = reading.buf
    while True:
        eol = buf.find(b"\r\n", reading.chunk_pos)
        if eol < 0:
            return "bad" if len(buf) - reading.chunk_pos > CHUNK_LINE_LIMIT else "more"
        size_text = bytes(buf[reading.chunk_pos:eol]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return "bad"
        if size == 0:
            end = buf.find(b"\r\n\r\n", eol)  # the trailer section ends with an empty line
            if end >= 0:
                reading.need = end + 4
                return "done"
            return "bad" if len(buf) - eol > HEAD_LIMIT else "more"
        if reading.decoded + size > reading.limit:
            return "large"
        following = eol + 2 + size + 2
        if len(buf) < following:
            return "more"
        reading.decoded += size
        reading.chunk_pos = following


def _rewrite_head(reading: _Reading, *, drop: bytes, add: bytes | None = None) -> None:
    """Remove the header fields named ``drop`` (lower case, with colon) from the buffered head, and
    append the line ``add``; the positions into the buffer move along."""
    head = bytes(reading.buf[:reading.head_end])
    lines = [line for line in head[:-4].split(b"\r\n") if not line.lower().startswith(drop)]
    new_head = b"\r\n".join(lines + ([add] if add else [])) + b"\r\n\r\n"
    shift = len(head) - len(new_head)
    reading.buf[:reading.head_end] = new_head
    reading.head_end -= shift
    if reading.chunk_pos:
        reading.chunk_pos -= shift
    if reading.need is not None:
        reading.need -= shift


class FrontDoorWorker(ThreadWorker):
    """gthread with requests read whole in the event loop (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = getattr(self.app, "settings_obj", None)
        self.client_timeout = float(getattr(settings, "client_timeout", 10.0))
        self.client_min_rate = float(getattr(settings, "client_min_rate", 10_000))
        self.upload_limit = int(getattr(settings, "max_upload_bytes", 20_000_000))
        self.reading: dict[int, _Reading] = {}
        # TLS and HTTP/2 negotiate on the socket first: gunicorn's own path for those.
        self.front_door = not self.cfg.is_ssl and getattr(self.cfg, "http2_cleartext", "off") in (None, "off", "")

    # ---- gunicorn hooks ------------------------------------------------------------------------
    def enqueue_req(self, conn: Any) -> None:
        if not self.front_door or getattr(conn, "front_door_ready", False):
            conn.front_door_ready = False
            super().enqueue_req(conn)
            return
        self._start_reading(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for reading in [r for r in self.reading.values() if r.deadline <= now]:
            metrics.client_cut_off("timeout")
            self._refuse(reading, 408 if reading.buf else None)
        if not self.alive:
            # Stopping: a connection that has sent nothing yet is not worth waiting for.
            for reading in [r for r in self.reading.values() if not r.buf]:
                self._refuse(reading, None)

    def handle_request(self, req: Any, conn: Any) -> bool:
        if not getattr(conn, "body_complete", True):
            # The body was not read ahead (it is over the limit): the app refuses it unread; should it read
            # anyway, a stalled client cannot hold the thread longer than this.
            conn.sock.settimeout(self.client_timeout)
        return super().handle_request(req, conn)

    def _keepalive_after(self, conn: Any, keepalive: bool) -> bool:
        if not getattr(conn, "body_complete", True):
            return False  # an unread body is never drained: the connection closes
        return super()._keepalive_after(conn, keepalive)

    # ---- reading in the event loop ------------------------------------------------------------
    def _start_reading(self, conn: Any) -> None:
        pending = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        conn.sock.setblocking(False)
        reading = _Reading(conn, bytearray(pending), time.monotonic() + self.client_timeout)
        self.reading[id(conn)] = reading
        try:
            if pending and self._advance(reading):
                return
        except Exception:  # as in _on_readable
            self.log.exception("front door: request could not be read")
            self._refuse(reading, None)
            return
        reading.registered = True
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, reading))

    def _on_readable(self, reading: _Reading, _sock: Any) -> None:
        try:
            data = reading.conn.sock.recv(READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._refuse(reading, None)
            return
        reading.buf += data
        try:
            self._advance(reading)
        except Exception:  # one odd request must never stop the event loop of the worker
            self.log.exception("front door: request could not be read")
            self._refuse(reading, None)

    def _advance(self, reading: _Reading) -> bool:
        """Look at what has arrived; True when the request left the event loop (served or refused)."""
        if reading.head_end < 0:
            end = reading.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(reading.buf) > HEAD_LIMIT:
                    metrics.client_cut_off("too-large")
                    self._refuse(reading, 431)
                    return True
                return False
            reading.head_end = end + 4
            if self._read_head(reading):
                return True
        if reading.chunked:
            state = scan_chunks(reading)
            if state == "large":
                metrics.client_cut_off("too-large")
                self._refuse(reading, 413)
                return True
            if state == "bad":
                # Found here before the app reads the body (where it would surface as a 500).
                self._refuse(reading, 400)
                return True
            if state == "more":
                self._extend_deadline(reading)
                return False
        if reading.need is None or len(reading.buf) >= reading.need:
            self._dispatch(reading, complete=True)
            return True
        self._extend_deadline(reading)
        return False

    def _read_head(self, reading: _Reading) -> bool:
        """Decide from the head how much body to wait for; True if the request was passed on already."""
        method, target, version, fields = head_fields(bytes(reading.buf[:reading.head_end]))
        if not method:
            self._dispatch(reading, complete=False)  # gunicorn's parser answers 400
            return True
        reading.limit = self._body_limit(method, target)
        reading.body_started = time.monotonic()
        encodings = ",".join(fields.get("transfer-encoding", [])).lower()
        lengths = fields.get("content-length", [])
        expects = "100-continue" in ",".join(fields.get("expect", [])).lower() and version == "HTTP/1.1"
        if encodings or len(set(lengths)) > 1:
            if encodings.replace(" ", "") != "chunked" or lengths:
                self._dispatch(reading, complete=False)  # ambiguous framing: gunicorn refuses it
                return True
            reading.chunked = True
            reading.chunk_pos = reading.head_end
        elif lengths:
            try:
                length = int(lengths[0])
            except ValueError:
                length = -1
            if length < 0:
                self._dispatch(reading, complete=False)
                return True
            if length > reading.limit:
                # Not a byte of it is read: the app answers 413 from the declared length, then we close.
                self._drop_expect(reading)
                self._dispatch(reading, complete=False)
                return True
            reading.need = reading.head_end + length
            if length == 0:
                return False
        else:
            return False
        if expects:
            self._drop_expect(reading)  # we ask for the body here; gunicorn must not ask again
            try:
                reading.conn.sock.send(CONTINUE)
            except OSError:
                pass
        return False

    def _drop_expect(self, reading: _Reading) -> None:
        _rewrite_head(reading, drop=b"expect:")

    def _extend_deadline(self, reading: _Reading) -> None:
        """The body may take ``client_timeout`` plus one second per ``client_min_rate`` bytes received."""
        received = len(reading.buf) - reading.head_end
        reading.deadline = reading.body_started + self.client_timeout + received / self.client_min_rate

    def _body_limit(self, method: str, target: str) -> int:
        hook = getattr(self.wsgi, "stadtgraph_body_limit", None)
        if hook is None:
            return self.upload_limit
        try:
            return int(hook(method, unquote(urlsplit(target).path or "/")))
        except Exception:  # noqa: BLE001 - an unroutable path: the app answers it; read at most an upload
            return self.upload_limit

    def _leave_loop(self, reading: _Reading) -> None:
        self.reading.pop(id(reading.conn), None)
        if reading.registered:
            reading.registered = False
            try:
                self.poller.unregister(reading.conn.sock)
            except (KeyError, ValueError, OSError):
                pass

    def _dispatch(self, reading: _Reading, *, complete: bool) -> None:
        """Hand the buffered request to gunicorn's parser and a thread."""
        self._leave_loop(reading)
        conn = reading.conn
        if not complete and reading.head_end > 0:
            # gunicorn then answers "Connection: close" as well, and closes.
            _rewrite_head(reading, drop=b"connection:", add=b"Connection: close")
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
        conn.parser.unreader.unread(bytes(reading.buf))
        conn.data_ready = True
        conn.body_complete = complete
        conn.front_door_ready = True
        self.enqueue_req(conn)

    def _refuse(self, reading: _Reading, status: int | None) -> None:
        """Answer ``status`` (if any) without a thread and close the connection."""
        if id(reading.conn) not in self.reading:
            return  # passed on already
        self._leave_loop(reading)
        conn = reading.conn
        if status is not None:
            try:
                conn.sock.send(problem_response(status))
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        self.nr_conns -= 1
        conn.close()
