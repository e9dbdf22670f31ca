"""Configuration from CLAIMWATCH_* environment variables (and `.env`), with documented defaults."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from seeds.registry import DEFAULT_CLAIMS_FILE

DEFAULT_SOURCES_FILE = Path(__file__).resolve().parent.parent / "sources" / "default_sources.yaml"


class Settings(BaseSettings):
    """Every knob claimwatch reads; each field is the variable CLAIMWATCH_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="CLAIMWATCH_", env_file=".env", extra="ignore")

    database_url: str = Field("sqlite:///claimwatch.db", description="SQLAlchemy URL; SQLite file by default")
    claims_file: Path = Field(DEFAULT_CLAIMS_FILE, description="claim registry YAML")
    sources_file: Path = Field(DEFAULT_SOURCES_FILE, description="feed list YAML")
    notify_urls: SecretStr = Field(
        SecretStr(""), description="apprise URLs, separated by spaces, commas or newlines (secret)"
    )
    notify_secret_block: str = Field("", description="name of a Prefect Secret block holding apprise URLs")
    user_agent: str = Field("claimwatch/0.1 (+https://github.com/claimwatch/claimwatch)", description="HTTP User-Agent")
    contact_email: str = Field("", description="contact address sent to the SEC in the User-Agent (required for EDGAR)")
    http_timeout: float = Field(20.0, gt=0, description="seconds per request")
    max_response_bytes: int = Field(5_000_000, gt=0, description="larger bodies are refused")
    fetch_concurrency: int = Field(8, ge=1, le=64, description="sources fetched at once")
    fetch_attempts: int = Field(3, ge=1, le=10, description="tries per fetch on timeouts, network errors, 5xx and 429")
    schedule_minutes: int = Field(15, ge=1, description="monitor interval for `claimwatch serve`")
    filings_lookback_days: int = Field(
        3, ge=1, le=365, description="days of filings each monitor run reads, ending at its scheduled time"
    )
    match_threshold: float = Field(0.5, ge=0, le=1, description="minimum relevance score to store evidence")
    # Filings sources (sources/edgar.py, sources/xbrl.py, sources/federal_register.py): every base
    # URL is configurable so tests and mirrors can point elsewhere.
    sec_data_base: str = Field("https://data.sec.gov", description="SEC submissions and XBRL API host")
    sec_www_base: str = Field("https://www.sec.gov", description="SEC archives and company Atom feeds host")
    sec_efts_base: str = Field("https://efts.sec.gov", description="EDGAR full-text search host")
    sec_rate: float = Field(5.0, gt=0, description="SEC requests per second for this process (the SEC allows 10 at most)")
    sec_cooldown_seconds: float = Field(600.0, ge=0, description="pause after the SEC's rate-threshold page")
    federal_register_base: str = Field("https://www.federalregister.gov", description="Federal Register API host")
    federal_register_rate: float = Field(5.0, gt=0, description="Federal Register requests per second")

    @field_validator("sec_rate")
    @classmethod
    def _sec_rate_within_fair_access(cls, value: float) -> float:
        if value > 10:
            raise ValueError(f"the SEC allows at most 10 requests per second; {value:g} would breach its fair-access rule")
        return value

    @cached_property
    def notify_url_list(self) -> list[str]:
        """The configured apprise URLs as a list (never log these: they carry tokens)."""
        raw = self.notify_urls.get_secret_value()
        return [part for part in re.split(r"[\s,]+", raw) if part]


def get_settings() -> Settings:
    """Read settings from the environment now (no caching: tests change the environment)."""
    return Settings()
