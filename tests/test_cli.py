"""The `claimwatch` commands that read and write the store or score files offline (no Prefect)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimwatch.cli import app
from seeds import DEFAULT_CLAIMS_FILE, load_claims

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, db_url: str) -> str:
    monkeypatch.setenv("CLAIMWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "250")  # rich folds tables to the terminal width
    return db_url


def test_claims_validate_accepts_the_registry() -> None:
    result = runner.invoke(app, ["claims", "validate", str(DEFAULT_CLAIMS_FILE)])
    assert result.exit_code == 0, result.output
    assert f"ok: {len(load_claims())} claims" in result.output


def test_claims_validate_names_the_claim_and_field_at_fault(tmp_path: Path) -> None:
    bad = tmp_path / "claims.yaml"
    bad.write_text("claims:\n  - id: fee\n    statement: A fee of $100,000 applies.\n"
                   "  - id: capex\n    statement: Capex is about $500B a year.\n    quantity: {value: lots, unit: USD}\n")
    result = runner.invoke(app, ["claims", "validate", str(bad)])
    assert result.exit_code == 1
    assert "claim 'capex', field 'quantity.value'" in result.output


def test_match_writes_one_json_line_per_related_pair(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(
        json.dumps({"id": "a", "title": "Trump signs proclamation imposing $100,000 fee on H-1B visas",
                    "source": "reuters", "ignored_field": 1}) + "\n"
        + json.dumps({"id": "b", "title": "Local bakery wins regional bread award"}) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["match", "--claims", str(DEFAULT_CLAIMS_FILE), "--items", str(items)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert lines and all(set(line) == {"item_id", "claim_id", "stance", "score", "why"} for line in lines)
    assert {line["item_id"] for line in lines} == {"a"}
    assert any(line["claim_id"] == "h1b-fee-100k" and line["stance"] == "confirms" for line in lines)
    assert all(0 <= line["score"] <= 1 and line["why"] for line in lines)


def test_match_reports_a_broken_items_line_by_number(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text('{"id": "a", "title": "fine"}\n{not json\n', encoding="utf-8")
    result = runner.invoke(app, ["match", "--claims", str(DEFAULT_CLAIMS_FILE), "--items", str(items)])
    assert result.exit_code == 1
    assert "line 2" in result.output


def test_claims_sync_list_and_show_read_the_store(env: str) -> None:
    first = runner.invoke(app, ["claims", "sync"])
    assert first.exit_code == 0, first.output
    assert f"{len(load_claims())} added" in first.output
    again = runner.invoke(app, ["claims", "sync"])
    assert "0 added, 0 updated, 0 retired" in again.output

    listing = runner.invoke(app, ["claims", "list"])
    assert listing.exit_code == 0, listing.output
    assert "h1b-fee-100k" in listing.output and "unverified" in listing.output

    shown = runner.invoke(app, ["claims", "show", "h1b-fee-100k"])
    assert shown.exit_code == 0, shown.output
    h1b = next(c for c in load_claims() if c.id == "h1b-fee-100k")
    assert h1b.statement[:40] in shown.output
    assert "No evidence yet that confirms it." in shown.output

    for claim_id, other in (("nvidia-openai-investment-100b", "stargate-10gw-nvidia-systems"),
                            ("stargate-10gw-nvidia-systems", "nvidia-openai-investment-100b")):
        linked = runner.invoke(app, ["claims", "show", claim_id])  # declared on the first, shown on both
        assert f"linked (terms of one agreement): {other}" in linked.output, linked.output

    missing = runner.invoke(app, ["claims", "show", "no-such-claim"])
    assert missing.exit_code == 1 and "no claim with id 'no-such-claim'" in missing.output


def test_evidence_list_on_an_empty_store_says_so_and_rejects_unknown_stances(env: str) -> None:
    empty = runner.invoke(app, ["evidence", "list", "--claim", "h1b-fee-100k", "--since", "2025-10-01"])
    assert empty.exit_code == 0 and "No evidence stored yet" in empty.output
    wrong = runner.invoke(app, ["evidence", "list", "--stance", "agrees"])
    assert wrong.exit_code == 2 and "--stance must be" in wrong.output
    bad_date = runner.invoke(app, ["evidence", "list", "--since", "yesterday"])
    assert bad_date.exit_code == 2 and "is not a date" in bad_date.output


def test_sources_list_shows_the_default_and_derived_feeds(env: str) -> None:
    result = runner.invoke(app, ["sources", "list"])
    assert result.exit_code == 0, result.output
    assert "never" in result.output and "gnews-" in result.output


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose (Debian package) not installed")
def test_docker_compose_file_is_valid() -> None:
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_run_summary_groups_many_failures_by_reason(capsys) -> None:
    from claimwatch.cli import console, print_summary
    from flows.summary import RunSummary, SourceResult

    failed = [SourceResult(f"gnews-{n}", "error", error_kind="network", error="host name could not be resolved (DNS)")
              for n in range(40)]
    summary = RunSummary(sources=(SourceResult("nvidia", "ok", items=3, new_items=1), *failed))
    with console.capture() as captured:
        print_summary(summary)
    text = captured.get()
    assert "Failed sources (40), by reason" in text and "network: host name could not be resolved (DNS)" in text
    assert "gnews-0" in text and "gnews-39" not in text and "nvidia" in text


def test_rematch_command_scores_stored_items_against_the_registry(env: str) -> None:
    from sources import Item, item_id_for
    from store import Repository, migrate, open_database

    migrate(env)
    url = "https://example.com/h1b-signed"
    Repository(open_database(env)).add_items(
        [Item(id=item_id_for(url), url=url, title="Trump signs proclamation imposing $100,000 fee on H-1B visas")]
    )
    result = runner.invoke(app, ["rematch", "--claim", "h1b-fee-100k"])
    assert result.exit_code == 0, result.output
    assert "rematched 1 stored items against 1 claims" in result.output
    shown = runner.invoke(app, ["claims", "show", "h1b-fee-100k"])
    assert "confirmed" in shown.output and "Trump signs proclamation" in shown.output
    unknown = runner.invoke(app, ["rematch", "--claim", "nope"])
    assert unknown.exit_code == 1 and "unknown claim id 'nope'" in unknown.output


def test_run_refuses_a_broken_claims_or_sources_file_with_one_sentence(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text("claims:\n  - id: Not A Slug\n    statement: Something checkable happened.\n")
    result = runner.invoke(app, ["run", "--claims", str(claims)])
    assert result.exit_code == 1 and "claim 'Not A Slug', field 'id'" in result.output

    sources = tmp_path / "sources.yaml"
    sources.write_text("sources: [\n")
    result = runner.invoke(app, ["run", "--sources", str(sources)])
    assert result.exit_code == 1 and "not valid YAML at line" in result.output


def test_runs_lists_the_recorded_runs_newest_first(env: str) -> None:
    from store import Repository, migrate, open_database

    assert "No runs recorded yet" in runner.invoke(app, ["runs"]).output
    migrate(env)
    repo = Repository(open_database(env))
    first = repo.record_run("monitor", "3f1c")
    repo.finish_run(first, "completed", {"headline": "4/4 sources ok, 25 new items"})
    second = repo.record_run("monitor")
    repo.finish_run(second, "failed", {"error": "ClaimsFileError: claims.yaml: claim 'x', field 'id'"})
    result = runner.invoke(app, ["runs"])
    assert result.exit_code == 0, result.output
    assert result.output.index("ClaimsFileError") < result.output.index("4/4 sources ok, 25 new items")
    assert "failed" in result.output and "completed" in result.output


def test_the_same_story_from_several_feeds_is_one_evidence_row(env: str) -> None:
    from matchers import Verdict
    from sources import Item, item_id_for
    from seeds import load_claims
    from store import Repository, migrate, open_database

    migrate(env)
    repo = Repository(open_database(env))
    repo.sync_claims(load_claims())
    urls = ["https://newsroom.example/10gw", "https://cnbc.example/10gw", "https://other.example/h1b"]
    titles = ["OpenAI and NVIDIA Announce Strategic Partnership to Deploy 10 Gigawatts of NVIDIA Systems",
              "OpenAI and Nvidia announce partnership to deploy 10 gigawatts of Nvidia systems",
              "Trump signs proclamation imposing $100,000 fee on H-1B visas"]
    items = [Item(id=item_id_for(u), url=u, title=t, publisher=p) for u, t, p in zip(urls, titles, ["NVIDIA", "CNBC", "AP"])]
    repo.add_items(items)
    story = items[0].id
    repo.record_evidence([
        Verdict(items[0].id, "stargate-10gw-nvidia-systems", "confirms", 0.9, "matched", story_id=story),
        Verdict(items[1].id, "stargate-10gw-nvidia-systems", "confirms", 0.8, "matched", story_id=story),
        Verdict(items[2].id, "h1b-fee-100k", "confirms", 0.9, "matched", story_id=items[2].id),
    ])
    result = runner.invoke(app, ["evidence", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.count("stargate-10gw-nvidia-systems") == 1 and "(+1 more feed)" in result.output
    assert "h1b-fee-100k" in result.output


@pytest.mark.parametrize(("given", "expected"), [(None, "90.0"), ("33", "33.0")])
def test_the_cli_gives_its_temporary_prefect_api_90_seconds_to_start_unless_told(given, expected) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"}
    if given is not None:
        env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = given
    read = ("import claimwatch.cli; from prefect.settings import get_current_settings; "
            "print(float(get_current_settings().server.ephemeral.startup_timeout_seconds))")
    result = subprocess.run([sys.executable, "-c", read], env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == expected, result.stderr
