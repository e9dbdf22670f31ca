"""Evidence, the alert outbox, delivery bookkeeping and run history on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from matchers.verdict import Verdict
from seeds.registry import Claim
from sources.item import Item, item_id_for
from store.repository import Repository, UnknownAlertError, UnknownReferenceError, UnknownRunError

CLAIM = "stargate-10gw"
OTHER = "h1b-fee-100k"
SLACK = "3f9a0c1d2e4b"  # target fingerprints, as alerts.deliver computes them
EMAIL = "77b1e0aa9c05"


@pytest.fixture
def stocked(repo: Repository) -> Repository:
    """A repository holding two claims and five items."""
    repo.sync_claims([
        Claim(id=CLAIM, statement="OpenAI will deploy 10 gigawatts of NVIDIA systems."),
        Claim(id=OTHER, statement="The US charges a $100,000 fee on new H-1B petitions."),
    ])
    repo.add_items([item(n) for n in range(5)])
    return repo


def item(n: int) -> Item:
    url = f"https://example.org/story-{n}"
    return Item(id=item_id_for(url), title=f"Story {n}", url=url, source="feed-a")


def verdict(n: int, stance: str = "confirms", claim: str = CLAIM, story: str = "", why: str = "10 GW deal") -> Verdict:
    return Verdict(item(n).id, claim, stance, 0.9, why, story_id=story)  # type: ignore[arg-type]


# -- evidence -------------------------------------------------------------------------------------


def test_recording_the_same_verdicts_twice_adds_nothing(stocked: Repository) -> None:
    verdicts = [verdict(0), verdict(1, "mentions"), verdict(0, claim=OTHER, stance="contradicts")]
    first = stocked.record_evidence(verdicts)
    assert sorted((r.item.id, r.claim_id, r.stance) for r in first) == sorted(
        (v.item_id, v.claim_id, v.stance) for v in verdicts
    )
    assert stocked.record_evidence(verdicts) == []
    assert len(stocked.list_evidence()) == 3
    assert len(stocked.pending_alerts()) == 2  # confirms + contradicts; mentions never alert


def test_evidence_records_carry_the_item_and_the_claim_statement(stocked: Repository) -> None:
    (record,) = stocked.record_evidence([verdict(2, why="OpenAI and NVIDIA announce 10 GW")])
    assert record.item == item(2)
    assert record.claim_statement == "OpenAI will deploy 10 gigawatts of NVIDIA systems."
    assert (record.stance, record.score, record.why) == ("confirms", 0.9, "OpenAI and NVIDIA announce 10 GW")
    assert record.found_at.tzinfo is not None and record.found_at.utcoffset() == timedelta(0)


def test_a_changed_stance_on_rematch_updates_the_row_without_a_new_alert(stocked: Repository) -> None:
    stocked.record_evidence([verdict(0, "mentions")])
    assert stocked.record_evidence([verdict(0, "confirms", why="now says 10 GW")]) == []
    (record,) = stocked.list_evidence(claim_id=CLAIM)
    assert (record.stance, record.why) == ("confirms", "now says 10 GW")
    assert stocked.pending_alerts() == []


def test_evidence_for_unknown_items_or_claims_is_a_named_error(stocked: Repository) -> None:
    with pytest.raises(UnknownReferenceError, match="claims no-such-claim"):
        stocked.record_evidence([verdict(0, claim="no-such-claim")])
    with pytest.raises(UnknownReferenceError, match="items"):
        stocked.record_evidence([Verdict("f" * 24, CLAIM, "confirms", 0.9, "x")])
    assert stocked.list_evidence() == []  # nothing half-written


def test_list_evidence_filters_by_claim_stance_and_time(stocked: Repository) -> None:
    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    stocked.record_evidence([verdict(0), verdict(1, "contradicts")], at=early)
    stocked.record_evidence([verdict(2), verdict(2, "mentions", claim=OTHER)], at=late)
    assert [r.item.id for r in stocked.list_evidence(claim_id=CLAIM, stance="confirms")] == [item(2).id, item(0).id]
    assert [r.item.id for r in stocked.list_evidence(since=late)] == sorted([item(2).id] * 2)
    assert [r.claim_id for r in stocked.list_evidence(claim_id=OTHER)] == [OTHER]
    assert len(stocked.list_evidence(limit=2)) == 2
    assert stocked.list_evidence(since=late + timedelta(seconds=1)) == []


def test_recent_verdicts_give_every_stored_verdict_since_a_time_with_its_item_and_story(stocked: Repository) -> None:
    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    stocked.record_evidence([verdict(0, story="s0")], at=early)
    stocked.record_evidence([verdict(1, story=item(0).id), verdict(1, "mentions", claim=OTHER, story=item(0).id),
                             *(verdict(n, "mentions") for n in (2, 3, 4))], at=late)
    recent = stocked.recent_verdicts(late)
    assert len(recent) == 5  # no limit: every copy of a story counts
    assert {(found.id, v.claim_id, v.stance, v.story_id) for found, v in recent if found.id == item(1).id} == {
        (item(1).id, CLAIM, "confirms", item(0).id), (item(1).id, OTHER, "mentions", item(0).id)}
    assert all(found == item(int(found.title.split()[-1])) for found, _ in recent)
    assert [v.story_id for _, v in stocked.recent_verdicts(early) if v.item_id == item(0).id] == ["s0"]


def test_silent_rematch_stores_evidence_without_alerts(stocked: Repository) -> None:
    assert len(stocked.record_evidence([verdict(0)], queue_alerts=False)) == 1
    assert stocked.pending_alerts() == []


# -- the outbox -----------------------------------------------------------------------------------


def test_the_same_story_in_two_feeds_alerts_once(stocked: Repository) -> None:
    stocked.record_evidence([verdict(0, story="story-abc")])
    stocked.record_evidence([verdict(1, story="story-abc")])  # the syndicated copy, seen later
    (alert,) = stocked.pending_alerts()
    assert alert.evidence.item.id == item(0).id
    assert len(stocked.list_evidence(claim_id=CLAIM)) == 2  # both copies are still evidence


def test_one_batch_alerts_once_per_story_claim_and_stance(stocked: Repository) -> None:
    stocked.record_evidence([
        verdict(0, story="story-abc"),
        verdict(1, story="story-abc"),
        verdict(2, "contradicts", story="story-abc"),
        verdict(0, claim=OTHER, story="story-abc"),
    ])
    alerts = stocked.pending_alerts()
    assert sorted((a.evidence.claim_id, a.evidence.stance) for a in alerts) == [
        (OTHER, "confirms"), (CLAIM, "confirms"), (CLAIM, "contradicts"),
    ]


def test_unclustered_items_alert_once_each(stocked: Repository) -> None:
    stocked.record_evidence([verdict(0), verdict(1)])
    assert len(stocked.pending_alerts()) == 2


def test_pending_alerts_come_oldest_first_and_honour_the_limit(stocked: Repository) -> None:
    for n in range(3):
        stocked.record_evidence([verdict(n)], at=datetime(2026, 1, 3 - n, tzinfo=UTC))
    assert [a.evidence.item.id for a in stocked.pending_alerts(limit=2)] == [item(2).id, item(1).id]


def test_one_ok_and_one_failed_target_leaves_only_the_failed_target_pending(stocked: Repository) -> None:
    stocked.record_evidence([verdict(0)])
    (alert,) = stocked.pending_alerts()
    assert alert.delivered_to == frozenset() and alert.attempts == 0

    stocked.record_delivery(alert.alert_id, SLACK, ok=True)
    stocked.record_delivery(alert.alert_id, EMAIL, ok=False, error="SMTP 451 try again later")
    assert stocked.finish_alerts([alert.alert_id], [SLACK, EMAIL]) == []

    (again,) = stocked.pending_alerts()
    assert again.delivered_to == frozenset({SLACK})
    assert again.attempts == 1

    stocked.record_delivery(alert.alert_id, EMAIL, ok=True)
    assert stocked.finish_alerts([alert.alert_id], [SLACK, EMAIL]) == [alert.alert_id]
    assert stocked.pending_alerts() == []
    assert stocked.finish_alerts([alert.alert_id], [SLACK, EMAIL]) == []  # already sent


def test_a_successful_delivery_is_never_overwritten_by_a_later_failure(stocked: Repository) -> None:
    stocked.record_evidence([verdict(0)])
    (alert,) = stocked.pending_alerts()
    stocked.record_delivery(alert.alert_id, SLACK, ok=True)
    stocked.record_delivery(alert.alert_id, SLACK, ok=False, error="late duplicate attempt failed")
    (again,) = stocked.pending_alerts()
    assert again.delivered_to == frozenset({SLACK})
    assert stocked.finish_alerts([alert.alert_id], [SLACK]) == [alert.alert_id]


def test_failed_delivery_errors_are_stored_without_secret_urls(stocked: Repository) -> None:
    stocked.record_evidence([verdict(0)])
    (alert,) = stocked.pending_alerts()
    stocked.record_delivery(alert.alert_id, SLACK, ok=False,
                            error="POST slack://T000/B000/XXXXSECRET failed: " + "x" * 5000)
    from sqlalchemy import select

    from store.models import Alert, AlertDelivery
    with stocked.database.engine.connect() as db:
        stored = db.execute(select(AlertDelivery.last_error, AlertDelivery.attempts)).one()
        alert_error = db.execute(select(Alert.last_error)).scalar_one()
    assert "XXXXSECRET" not in stored.last_error and "XXXXSECRET" not in alert_error
    assert stored.last_error.startswith("POST slack://<redacted> failed")
    assert len(stored.last_error) <= 1000 and stored.attempts == 1


def test_the_store_refuses_target_urls_where_fingerprints_belong(stocked: Repository) -> None:
    stocked.record_evidence([verdict(0)])
    (alert,) = stocked.pending_alerts()
    secret = "mailtos://user:hunter2@smtp.example.org"
    with pytest.raises(ValueError, match="fingerprints") as excinfo:
        stocked.record_delivery(alert.alert_id, secret, ok=True)
    assert "hunter2" not in str(excinfo.value)
    with pytest.raises(ValueError, match="fingerprints"):
        stocked.finish_alerts([alert.alert_id], [secret])


def test_alerts_without_targets_stay_queued(stocked: Repository) -> None:
    stocked.record_evidence([verdict(0)])
    (alert,) = stocked.pending_alerts()
    assert stocked.finish_alerts([alert.alert_id], []) == []
    assert len(stocked.pending_alerts()) == 1


def test_completing_an_alert_by_hand_and_unknown_alert_ids(stocked: Repository) -> None:
    stocked.record_evidence([verdict(0)])
    (alert,) = stocked.pending_alerts()
    stocked.complete_alert(alert.alert_id)
    assert stocked.pending_alerts() == []
    with pytest.raises(UnknownAlertError):
        stocked.complete_alert(alert.alert_id + 1000)
    with pytest.raises(UnknownAlertError):
        stocked.record_delivery(alert.alert_id + 1000, SLACK, ok=True)


# -- runs -----------------------------------------------------------------------------------------


def test_runs_are_recorded_and_finished(stocked: Repository) -> None:
    first = stocked.record_run("monitor", flow_run_id="0b7f…", at=datetime(2026, 1, 1, tzinfo=UTC))
    second = stocked.record_run("backfill")
    stocked.finish_run(first, "completed", {"sources": 12, "new_items": 40, "errors": {"feed-a": "timeout"}})
    latest, earlier = stocked.list_runs()
    assert (latest.id, latest.status, latest.finished_at) == (second, "running", None)
    assert (earlier.kind, earlier.status, earlier.flow_run_id) == ("monitor", "completed", "0b7f…")
    assert earlier.summary == {"sources": 12, "new_items": 40, "errors": {"feed-a": "timeout"}}
    assert earlier.started_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert earlier.finished_at is not None and earlier.finished_at.tzinfo is not None
    with pytest.raises(UnknownRunError):
        stocked.finish_run(second + 1000)


def test_unknown_run_kinds_and_statuses_are_refused_before_touching_the_database(stocked: Repository) -> None:
    with pytest.raises(ValueError, match="run kind"):
        stocked.record_run("nightly")  # type: ignore[arg-type]
    run_id = stocked.record_run("demo")
    with pytest.raises(ValueError, match="run status"):
        stocked.finish_run(run_id, "done")  # type: ignore[arg-type]
    assert [run.status for run in stocked.list_runs()] == ["running"]
