"""`claimwatch demo`: the real monitor flow, offline, against a bundled corpus served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table
from rich.text import Text

CORPUS_DIR = Path(__file__).with_name("demo_corpus")


def _demo_sources(server, corpus: Path) -> list[dict[str, str]]:
    feeds = sorted(p for p in corpus.iterdir() if p.suffix in {".xml", ".rss", ".atom"})
    return [{"id": f"demo-{p.stem}", "url": server.url(p.name), "title": p.stem} for p in feeds]


def run_demo(output: Path, console: Console) -> None:
    """Serve the corpus, run one monitor cycle into a fresh demo database, print the claims table."""
    from alerts.local_file import local_file_url
    from claimwatch.replay import ReplayServer
    from flows.monitor import monitor
    from store import Repository, open_database
    from store.records import one_per_story

    output.mkdir(parents=True, exist_ok=True)
    database = output / "claimwatch.db"
    alerts_log = output / "alerts.log"
    # The demo always starts from scratch so that every run shows the same alerts.
    for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), alerts_log):
        stale.unlink(missing_ok=True)
    database_url = f"sqlite:///{database.resolve()}"

    with ReplayServer(CORPUS_DIR) as server:
        sources_file = output / "demo-sources.yaml"
        sources_file.write_text(yaml.safe_dump({"sources": _demo_sources(server, CORPUS_DIR)}), encoding="utf-8")
        console.print(f"[bold]claimwatch demo[/]: replaying {CORPUS_DIR.name}/ on {server.url('')}")
        os.environ["CLAIMWATCH_NOTIFY_URLS"] = local_file_url(alerts_log)
        os.environ.pop("CLAIMWATCH_NOTIFY_SECRET_BLOCK", None)
        summary = asyncio.run(
            # The bundled corpus holds feeds only: no EDGAR or Federal Register answers to replay.
            monitor(
                sources_file=str(sources_file), derive_sources_from_claims=False, database_url=database_url,
                include_filings=False,
            )
        )

    repo = Repository(open_database(database_url))
    table = Table(title="Claims with evidence (demo)", show_lines=True)
    for column in ("claim", "status", "confirming", "contradicting"):
        table.add_column(column, overflow="fold")
    for row in repo.list_claims():
        if not (row.confirms or row.contradicts):
            continue
        cells = []
        for stance in ("confirms", "contradicts"):
            records = repo.list_evidence(claim_id=row.id, stance=stance, limit=20)
            stories = one_per_story(records)[:5]
            cells.append("\n".join(f"• {r.item.title}" + (f" (+{n} more)" if n else "") for r, n in stories) or "—")
        table.add_row(Text(row.id), Text(row.status), *(Text(cell) for cell in cells))
    console.print(table)
    console.print(Text(summary.headline()))
    console.print(f"Alerts were printed above and written to [bold]{alerts_log}[/]; database: {database}")
