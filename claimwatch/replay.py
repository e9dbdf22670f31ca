"""A local HTTP server that replays recorded feed files on 127.0.0.1, for tests and the offline demo.

It behaves like a well-mannered feed host (Content-Type, ETag, Last-Modified, 304 answers,
gzip when asked) and offers fault routes under `/_fault/` so tests can provoke every named
fetch error without touching the internet:

    /_fault/status/<code>          answer with that status (e.g. 500, 404, 503)
    /_fault/429?retry_after=<s>    too many requests, with a Retry-After header
    /_fault/slow?seconds=<s>       wait before answering (pair with a shorter client timeout)
    /_fault/huge?bytes=<n>         an oversized XML body; add `nolength=1` to omit Content-Length
    /_fault/html                   an HTML page where a feed was expected
    /_fault/redirect?to=<path>     a 302 to another path
    /_fault/redirect-loop          a 302 back to itself, forever
    /_fault/reset                  close the connection without answering
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import mimetypes
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

FAULT_PREFIX = "/_fault/"

_HTML_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Newsroom | Example Corp</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><h1>Latest news</h1><p>Subscribe to our RSS feed for updates.</p></main></body></html>
"""


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the server received, and how it answered."""

    path: str  # path and query, as requested
    headers: dict[str, str]  # request headers, names lower-cased
    timestamp: float  # time.time() on arrival
    status: int = 0
    content_encoding: str = ""  # "gzip" when the body was compressed


class ReplayServer:
    """Serve a directory of recorded files on 127.0.0.1 in a background thread; use as a context manager."""

    def __init__(self, directory: str | Path, *, host: str = "127.0.0.1", port: int = 0, gzip_enabled: bool = True):
        self.directory = Path(directory).resolve()
        if not self.directory.is_dir():
            raise NotADirectoryError(f"replay directory does not exist: {self.directory}")
        self.host = host
        self.port = port
        self.gzip_enabled = gzip_enabled
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ReplayServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Bind the port and start answering requests in a daemon thread."""
        if self._httpd is not None:
            return
        handler = type("_BoundHandler", (_ReplayHandler,), {"replay": self})
        httpd = _QuietServer((self.host, self.port), handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False  # a sleeping /_fault/slow request must not hold up shutdown
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._stopping.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="claimwatch-replay", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` of the running server."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of `path` (a file relative to the directory, or a fault route)."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """The recorded requests whose path (without query) equals `path`."""
        wanted = "/" + path.lstrip("/")
        with self._lock:
            return [r for r in self.requests if urlsplit(r.path).path == wanted]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        # Clients hang up mid-body on purpose (a size cap, a timeout); only real bugs deserve a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _ReplayHandler(BaseHTTPRequestHandler):
    replay: ReplayServer
    protocol_version = "HTTP/1.1"
    server_version = "claimwatch-replay/1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # tests and the demo read `requests` instead of stderr noise

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._handle(send_body=False)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._handle(send_body=True)

    def _handle(self, *, send_body: bool) -> None:
        self._arrived = time.time()
        self._send_body = send_body
        parts = urlsplit(self.path)
        if parts.path.startswith(FAULT_PREFIX):
            self._fault(parts.path[len(FAULT_PREFIX) :], parse_qs(parts.query))
        else:
            self._serve_file(unquote(parts.path))

    # -- files ---------------------------------------------------------------------------------

    def _serve_file(self, url_path: str) -> None:
        root = self.replay.directory
        target = (root / url_path.lstrip("/")).resolve()
        if root not in target.parents or not target.is_file():
            self._answer(404, b"not found\n", "text/plain; charset=utf-8")
            return
        body = target.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        mtime = int(target.stat().st_mtime)
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        validators = {"ETag": etag, "Last-Modified": last_modified}
        if self._unchanged(etag, mtime):
            self._answer(304, b"", None, validators)
            return
        self._answer(200, body, _content_type(target, body), validators)

    def _unchanged(self, etag: str, mtime: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
            tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            return "*" in tags or etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError):
                return False
            return mtime <= since
        return False

    # -- faults --------------------------------------------------------------------------------

    def _fault(self, name: str, query: dict[str, list[str]]) -> None:
        def arg(key: str, default: str) -> str:
            return query.get(key, [default])[0]

        if name.startswith("status/"):
            code = int(name.removeprefix("status/") or 500)
            self._answer(code, f"status {code}\n".encode(), "text/plain; charset=utf-8")
        elif name == "429":
            self._answer(429, b"slow down\n", "text/plain; charset=utf-8", {"Retry-After": arg("retry_after", "120")})
        elif name == "slow":
            self.replay._stopping.wait(float(arg("seconds", "5")))
            self._answer(200, _tiny_feed(), "application/rss+xml; charset=utf-8")
        elif name == "huge":
            self._huge(int(arg("bytes", str(6_000_000))), with_length=arg("nolength", "0") != "1")
        elif name == "html":
            self._answer(200, _HTML_PAGE, "text/html; charset=utf-8")
        elif name == "redirect":
            self._answer(302, b"", None, {"Location": "/" + arg("to", "").lstrip("/")})
        elif name == "redirect-loop":
            self._answer(302, b"", None, {"Location": self.path})
        elif name == "reset":
            self._record(0, "")
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._answer(404, f"unknown fault route {quote(name)}\n".encode(), "text/plain; charset=utf-8")

    def _huge(self, size: int, *, with_length: bool) -> None:
        self._record(200, "")
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        if with_length:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not self._send_body:
            return
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>huge</title>'
        filler = b"<!-- padding -->" * 4096
        sent = 0
        try:
            self.wfile.write(head)
            sent = len(head)
            while sent < size and not self.replay._stopping.is_set():
                piece = filler[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its cap, as it should

    # -- plumbing ------------------------------------------------------------------------------

    def _answer(
        self, status: int, body: bytes, content_type: str | None, headers: dict[str, str] | None = None
    ) -> None:
        encoding = ""
        accepts = self.headers.get("Accept-Encoding", "").lower()
        if body and status == 200 and self.replay.gzip_enabled and "gzip" in accepts:
            body = gzip.compress(body, mtime=0)
            encoding = "gzip"
        self._record(status, encoding)
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if encoding:
            self.send_header("Content-Encoding", encoding)
            self.send_header("Vary", "Accept-Encoding")
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self._send_body and status != 304:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    def _record(self, status: int, encoding: str) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.replay._record(RecordedRequest(self.path, headers, self._arrived, status, encoding))


def _content_type(path: Path, body: bytes) -> str:
    if path.suffix.lower() in (".xml", ".rss", ".atom"):
        head = body[:1024].lower()
        if b"<feed" in head:
            return "application/atom+xml; charset=utf-8"
        if b"<rss" in head or b"<rdf:rdf" in head:
            return "application/rss+xml; charset=utf-8"
        return "application/xml; charset=utf-8"
    guessed, _ = mimetypes.guess_type(path.name)
    guessed = guessed or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/json", "application/xml"):
        return f"{guessed}; charset=utf-8"
    return guessed


def _tiny_feed() -> bytes:
    return (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title>'
        b"<item><title>Late item</title><link>https://example.org/late</link></item></channel></rss>"
    )
