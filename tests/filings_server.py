"""A routed fixture server on 127.0.0.1 for the filings tests: answers chosen by path AND query.

`claimwatch.replay.ReplayServer` serves files by path only; EDGAR full-text search and the
Federal Register page through one path with different queries, and the SEC's block page is a
403 with a body, so these tests need to choose the answer from the whole request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as the server saw it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


Answer = tuple[int, bytes, str]  # status, body, content type
Route = Callable[[Seen], Answer | None]


class RoutedServer:
    """Serve `route(request) -> (status, body, content type)` on an ephemeral port; 404 when it returns None."""

    def __init__(self, route: Route):
        self.route = route
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                request = Seen(
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    {name.lower(): value for name, value in self.headers.items()},
                    time.monotonic(),
                )
                with server._lock:
                    server.seen.append(request)
                answer = server.route(request) or (404, b"not found", "text/plain")
                status, body, content_type = answer
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> RoutedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
