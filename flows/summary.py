"""What one monitoring or backfill run did, for the log, the CLI and the Prefect artifact."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.records import EvidenceRecord


@dataclass(frozen=True, slots=True)
class SourceResult:
    """One source's outcome in a run."""

    source_id: str
    status: str  # ok | not_modified | error
    items: int = 0
    new_items: int = 0
    error_kind: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Counts and outcomes of one run."""

    sources: tuple[SourceResult, ...] = ()
    new_items: int = 0
    new_evidence: tuple[EvidenceRecord, ...] = ()
    alerts_sent: int = 0
    alerts_failed: int = 0
    alerts_queued: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def failed_sources(self) -> list[SourceResult]:
        """Sources whose fetch failed in this run."""
        return [source for source in self.sources if source.status == "error"]

    @property
    def all_sources_failed(self) -> bool:
        """True when there were sources and every one of them failed."""
        return bool(self.sources) and len(self.failed_sources) == len(self.sources)

    def as_json(self) -> dict[str, object]:
        """The counts and failures of the run, for the store's run history."""
        return {
            "headline": self.headline(),
            "sources": len(self.sources),
            "sources_failed": {s.source_id: f"{s.error_kind}: {s.error}" for s in self.failed_sources},
            "new_items": self.new_items,
            "new_evidence": len(self.new_evidence),
            "confirms": sum(1 for e in self.new_evidence if e.stance == "confirms"),
            "contradicts": sum(1 for e in self.new_evidence if e.stance == "contradicts"),
            "alerts_sent": self.alerts_sent,
            "alerts_failed": self.alerts_failed,
            "alerts_queued": self.alerts_queued,
            "notes": list(self.notes),
        }

    def headline(self) -> str:
        """One sentence describing the run."""
        ok = len(self.sources) - len(self.failed_sources)
        confirms = sum(1 for e in self.new_evidence if e.stance == "confirms")
        contradicts = sum(1 for e in self.new_evidence if e.stance == "contradicts")
        return (
            f"{ok}/{len(self.sources)} sources ok, {self.new_items} new items, "
            f"{len(self.new_evidence)} new evidence ({confirms} confirming, {contradicts} contradicting), "
            f"alerts: {self.alerts_sent} sent, {self.alerts_failed} failed, {self.alerts_queued} queued"
        )


class AllSourcesFailedError(RuntimeError):
    """Every source failed: most likely no network. Carries the run summary."""

    def __init__(self, summary: RunSummary):
        self.summary = summary
        kinds = sorted({s.error_kind or "error" for s in summary.failed_sources})
        super().__init__(
            f"All {len(summary.sources)} sources failed ({', '.join(kinds)}): "
            "check the network connection or the source list; nothing new was stored."
        )
