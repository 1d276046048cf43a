"""Settings read from the environment (pydantic-settings), injected everywhere else."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NamedTuple

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:
    from bot.programme.content.bounded import ContentLimits
    from bot.programme.content.importers.fetch import FetchPolicy

BUNDLED_CONTENT = Path(__file__).resolve().parent.parent / "content" / "ebpf-china"


class Account(NamedTuple):
    """A chat account as settings name it: ``platform:user_id``."""

    platform: str
    user_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @classmethod
    def parse(cls, entry: str) -> Account | None:
        """``platform:user_id`` (spaces around it ignored); None when ``entry`` has no ``:``."""
        platform, colon, user_id = entry.strip().partition(":")
        return cls(platform, user_id) if colon else None


class Settings(BaseSettings):
    """Everything configurable. Names map to ``CONFBOT_*`` or the platforms' own variables."""

    model_config = SettingsConfigDict(env_prefix="CONFBOT_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///confbot.db"
    content: Path = BUNDLED_CONTENT
    # the largest content file read (bytes; each file of the folder), and the time one load may take
    content_max_bytes: int = Field(default=4 * 1024 * 1024, gt=0)
    content_load_seconds: float = Field(default=30.0, gt=0)
    # a published schedule (frab/pretalx schedule.json or .xml) that `confbot run` keeps in sync
    schedule_url: str | None = None
    schedule_sync_minutes: float = Field(default=5.0, gt=0)
    schedule_token: str | None = None  # a pretalx API token, for a private event's API URL
    # one fetch of the schedule (every page of an API fetch) is abandoned after this long in all
    schedule_fetch_seconds: float = Field(default=120.0, gt=0)
    # a redirect to another scheme, host or port is refused unless this is true
    schedule_cross_origin_redirects: bool = False
    clock_start: datetime | None = None
    http_port: int = 8080
    http_host: str = "0.0.0.0"
    # the largest request body the HTTP server reads; Slack's and Telegram's payloads are far smaller
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # a request head (request line and headers): its size, its header count, seconds from its first byte
    # to its end (slow or silent clients are disconnected: 408), and how long an idle kept-alive
    # connection stays open; past http_max_connections open connections a request gets 503
    http_max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    http_max_headers: int = Field(default=100, gt=0)
    http_header_timeout: float = Field(default=10.0, gt=0)
    http_keepalive_timeout: int = Field(default=15, gt=0)
    http_max_connections: int = Field(default=1000, gt=0)
    # proxies whose X-Forwarded-For is the client's address (uvicorn's own variable): "10.0.0.0/8", "*"
    forwarded_allow_ips: str = Field(default="127.0.0.1,::1", alias="FORWARDED_ALLOW_IPS")
    # wrong tokens at the calendar feed one client (IP) may try per window before it gets 429
    feed_miss_limit: int = Field(default=30, gt=0)
    feed_miss_window: float = Field(default=600.0, gt=0)
    # who may run organizer commands: "telegram:123,slack:U0ABC" (commas or a JSON list)
    organizers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    default_lead_minutes: int = 10
    # speakers' chat accounts: "chen=telegram:123,chen=slack:U0ABC" (speaker id from the content = platform:user_id)
    speakers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # each room's hosts (volunteers): "A=telegram:123,B=slack:U0ABC" (room id = platform:user_id); they may
    # mark their room full and are told first when a speaker there has not checked in
    room_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # minutes after a talk ends that its subscribers are asked to rate it; 0 turns the prompts off
    feedback_delay_minutes: int = Field(default=5, ge=0)
    replica_id: str | None = None
    # processes `confbot run` starts on its one port (adapters/workers.py): "auto" is one per usable core
    # where replicas can run together (PostgreSQL, no Telegram long polling), else one
    workers: Annotated[int, Field(ge=1, le=64)] | Literal["auto"] = "auto"
    # threads that answer requests off the event loop: how many requests wait for the database at once
    request_threads: int = Field(default=4, ge=1, le=10)  # below the database pool (5 + 10 overflow)
    # each person's inbound limit, before the core: a burst of this many messages, then flood_per_second
    # (the whole bot's: each replica enforces its share); 0 turns the limit off (docs/operations.md)
    flood_burst: int = Field(default=20, ge=0)
    flood_per_second: float = Field(default=1.0, gt=0)
    # seconds a dropped flood message's answer waits (adapters/tarpit.py): a client that sends as soon as it
    # is answered gets at most (its messages in flight) / this through a second; 0 answers at once
    flood_hold_seconds: float = Field(default=0.1, ge=0, le=5)
    # where `confbot run` is reachable from outside (https://bot.example.org): personal calendar feeds,
    # and the address the web pages' QR codes show
    public_url: str | None = None
    # the public web pages (the programme, talks, speakers, search: adapters/web, docs/web.md) on the
    # HTTP server; true is also a configuration on its own, with no chat platform
    web: bool = False
    # the room screens (/rooms/<room>/screen): seconds between reads of a watched room's state, and the
    # server-sent event streams one process keeps open (past it, 503: a flood of screens can't take every connection)
    web_screen_interval: float = Field(default=1.0, gt=0, le=60)
    # how often an open programme, talk or agenda page asks whether the programme changed (seconds)
    web_live_interval: float = Field(default=15.0, gt=0, le=3600)
    web_max_screens: int = Field(default=500, gt=0)
    # false: start-up only checks that the schema is at head (migrate as a separate step: confbot db upgrade)
    migrate_on_start: bool = True
    log_format: Literal["text", "json"] = "text"  # json: one object per line (adapters/logs.py)
    # how long data is kept (docs/privacy.md); 0 keeps it forever. A daily job deletes what is older.
    retain_sent_days: int = Field(default=30, ge=0)  # finished outbox rows (sent, failed, blocked, missed, cancelled)
    retain_audit_days: int = Field(default=365, ge=0)  # audit log entries
    retain_inputs_days: int = Field(default=1, ge=0)  # awaited inputs and organizers' previews, after they expired

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org/bot", alias="TELEGRAM_API_URL")
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_rate_limit: float = Field(default=30.0, alias="TELEGRAM_RATE_LIMIT")
    # broadcasts on Telegram as paid broadcasts (allow_paid_broadcast), sent at the paid rate (Stars are charged)
    telegram_paid_broadcast: bool = Field(default=False, alias="TELEGRAM_PAID_BROADCAST")
    telegram_paid_rate_limit: float = Field(default=1000.0, alias="TELEGRAM_PAID_RATE_LIMIT")

    slack_bot_token: str | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    slack_rate_limit: float = Field(default=10.0, alias="SLACK_RATE_LIMIT")  # DMs/s, workspace-wide

    # a WeChat service account (服务号, docs/wechat.md): messages at /wechat, replies and pushes through its API
    wechat_app_id: str | None = Field(default=None, alias="WECHAT_APP_ID")
    wechat_app_secret: str | None = Field(default=None, alias="WECHAT_APP_SECRET")
    wechat_token: str | None = Field(default=None, alias="WECHAT_TOKEN")  # the server configuration's Token
    wechat_aes_key: str | None = Field(default=None, alias="WECHAT_AES_KEY")  # EncodingAESKey: safe mode
    wechat_api_url: str = Field(default="https://api.weixin.qq.com", alias="WECHAT_API_URL")
    # customer-service messages a second, all attendees together (WeChat publishes a daily quota, not a rate)
    wechat_rate_limit: float = Field(default=20.0, gt=0, alias="WECHAT_RATE_LIMIT")
    # a one-time subscription message template (一次性订阅消息), if the account has the permission: a
    # reminder outside the window can then use the person's opt-in for that talk (needs CONFBOT_PUBLIC_URL)
    wechat_subscribe_template: str | None = Field(default=None, alias="WECHAT_SUBSCRIBE_TEMPLATE")

    @field_validator("organizers", "speakers", "room_hosts", mode="before")
    @classmethod
    def _split_organizers(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("workers", mode="before")
    @classmethod
    def _workers_word(cls, value: object) -> object:
        """``auto`` however it is written (`AUTO`, ` auto `), as a number may have spaces around it."""
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("speakers")
    @classmethod
    def _check_speakers(cls, value: list[str]) -> list[str]:
        from bot.programme.speaker_links import check_entry

        return [check_entry(entry.strip()) for entry in value]

    @property
    def content_limits(self) -> ContentLimits:
        """What one load of the content files may read and take (``CONFBOT_CONTENT_MAX_BYTES``, ``…_LOAD_SECONDS``)."""
        from bot.programme.content.bounded import ContentLimits

        return ContentLimits(max_bytes=self.content_max_bytes, seconds=self.content_load_seconds)

    @property
    def schedule_fetch_policy(self) -> FetchPolicy:
        """The overall deadline of one schedule fetch, and whether redirects may leave the URL's origin."""
        from bot.programme.content.importers.fetch import FetchPolicy

        return FetchPolicy(seconds=self.schedule_fetch_seconds, cross_origin=self.schedule_cross_origin_redirects)

    @property
    def telegram_webhook(self) -> bool:
        """Telegram in webhook mode (a URL and a secret set); long polling otherwise."""
        return bool(self.telegram_webhook_url and self.telegram_webhook_secret)

    @property
    def platforms(self) -> list[str]:
        """The chat platforms whose settings are present (``confbot run`` serves them)."""
        tokens = (
            ("telegram", self.telegram_bot_token),
            ("slack", self.slack_bot_token),
            ("wechat", self.wechat_app_id),
        )
        return [name for name, token in tokens if token]

    @property
    def send_rates(self) -> dict[str, float]:
        """Messages per second each configured platform's sender delivers at most, all chats together."""
        rates = {"telegram": self.telegram_rate_limit, "slack": self.slack_rate_limit, "wechat": self.wechat_rate_limit}
        return {name: rates[name] for name in self.platforms}

    @property
    def room_host_accounts(self) -> dict[str, tuple[Account, ...]]:
        """``CONFBOT_ROOM_HOSTS`` parsed: each room id's host accounts, in order, once each."""
        hosts: dict[str, dict[Account, None]] = {}
        for entry in self.room_hosts:
            room, _, account = entry.partition("=")
            parsed = Account.parse(account.strip())
            if room.strip() and parsed is not None:
                hosts.setdefault(room.strip(), {})[parsed] = None
        return {room: tuple(accounts) for room, accounts in hosts.items()}

    @property
    def organizer_accounts(self) -> tuple[Account, ...]:
        """``CONFBOT_ORGANIZERS`` parsed, in order, once each: the accounts that may run organizer commands."""
        return tuple(dict.fromkeys(a for a in map(Account.parse, self.organizers) if a is not None))
