"""A no-account notification target: `claimwatchfile://` appends each alert to a file and echoes it.

Importing this module registers the schema with apprise (its `@notify` decorator).
Apprise schema names are `[a-z0-9]{1,32}`, so no dash. Apprise's URL parser drops the
leading slashes, so the path is read as absolute unless it starts with `.` or `~`:

    claimwatchfile:///var/log/claimwatch/alerts.log   ->  /var/log/claimwatch/alerts.log
    claimwatchfile://./alerts.log                     ->  ./alerts.log (relative to the working directory)
    claimwatchfile://~/claimwatch-alerts.log          ->  in the home directory
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from apprise.decorators import notify

SCHEMA = "claimwatchfile"

_write_lock = threading.Lock()
# Failures are logged on apprise's logger so the delivery code reports them like any
# other apprise plugin's warning.
_apprise_log = logging.getLogger("apprise")


def local_file_url(path: str | Path) -> str:
    """The apprise URL that appends alerts to `path` (made absolute)."""
    return f"{SCHEMA}://{quote(Path(path).expanduser().resolve().as_posix())}"


def path_from_meta(meta: dict[str, Any]) -> Path:
    """The file a `claimwatchfile://` URL points at, from apprise's parsed URL pieces."""
    host = unquote(meta.get("host") or "")
    rest = unquote(meta.get("fullpath") or "")
    if host in (".", "..") or host.startswith("~"):
        return Path(host + rest).expanduser()
    return Path("/" + host + rest)


def format_entry(title: str, body: str, notify_type: str, when: datetime | None = None) -> str:
    """One alert as it appears in the file and on the terminal."""
    stamp = (when or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M:%S UTC")
    heading = f"=== {stamp} [{notify_type}] {title}".rstrip()
    return f"{heading}\n{body.rstrip()}\n\n"


@notify(on=SCHEMA, name="claimwatch local file")
def append_alert(body: str, title: str, notify_type: str, *args: Any, meta: dict[str, Any], **kwargs: Any) -> bool:
    """Append the alert to the URL's file and print it; False (with a logged reason) if the file is unwritable."""
    path = path_from_meta(meta)
    entry = format_entry(title, body, notify_type)
    try:
        with _write_lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(entry)
    except OSError as exc:
        _apprise_log.warning("cannot append the alert (%s) to %s", exc.strerror or exc.__class__.__name__, path)
        return False
    sys.stdout.write(entry)
    sys.stdout.flush()
    return True
