"""deploy/.env.example documents every variable confbot reads, and nothing it does not."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings
from tests.deploy.tools import DEPLOY

# set or commented out: "NAME=value" or "#NAME=value"
ASSIGNMENT = re.compile(r"^#?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}  # read by compose.yaml, not by confbot


def documented() -> set[str]:
    return set(ASSIGNMENT.findall((DEPLOY / ".env.example").read_text(encoding="utf-8")))


def setting_variables() -> set[str]:
    """The environment variable of every field of Settings (its alias, else CONFBOT_<NAME>)."""
    prefix = Settings.model_config.get("env_prefix", "")
    return {(field.alias or f"{prefix}{name}").upper() for name, field in Settings.model_fields.items()}


def test_every_setting_is_in_env_example() -> None:
    missing = setting_variables() - documented()
    assert not missing, f"add these settings to deploy/.env.example (with a comment): {sorted(missing)}"


def test_env_example_names_no_variable_that_nothing_reads() -> None:
    stale = documented() - setting_variables() - COMPOSE_ONLY
    assert not stale, f"deploy/.env.example documents variables nothing reads: {sorted(stale)}"


def test_variables_compose_interpolates_are_in_env_example() -> None:
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose))
    assert used, "compose.yaml takes its password from .env"
    assert used <= documented()


def test_every_value_shown_in_env_example_is_accepted(tmp_path: Path) -> None:
    # an operator who uncomments every line gets a bot that starts, not a validation error
    text = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    uncommented = tmp_path / "confbot.env"
    uncommented.write_text(re.sub(r"^#(?=[A-Z])", "", text, flags=re.MULTILINE), encoding="utf-8")
    settings = Settings(_env_file=uncommented)  # type: ignore[call-arg]
    assert settings.telegram_webhook_url == "https://bot.example.org"
    assert settings.organizers == ["telegram:12345", "slack:U0ABCDEF"]
    assert settings.http_port == 8080
