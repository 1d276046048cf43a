"""Settings read from the environment (pydantic-settings), injected everywhere else."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_CONTENT = Path(__file__).resolve().parent.parent / "content" / "ebpf-china"


class Settings(BaseSettings):
    """Everything configurable. Names map to ``CONFBOT_*`` or the platforms' own variables."""

    model_config = SettingsConfigDict(env_prefix="CONFBOT_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///confbot.db"
    content: Path = BUNDLED_CONTENT
    clock_start: datetime | None = None
    http_port: int = 8080
    http_host: str = "0.0.0.0"
    organizers: list[str] = Field(default_factory=list)  # "telegram:123", "slack:U1"
    default_lead_minutes: int = 10
    replica_id: str | None = None

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org/bot", alias="TELEGRAM_API_URL")
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_rate_limit: float = Field(default=30.0, alias="TELEGRAM_RATE_LIMIT")

    slack_bot_token: str | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
