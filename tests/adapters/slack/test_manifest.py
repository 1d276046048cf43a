"""The Slack manifest declares everything the adapter uses."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import yaml

import adapters.slack.handlers as handlers
import adapters.slack.sender as sender

MANIFEST = Path(__file__).resolve().parents[3] / "deploy" / "slack-manifest.yaml"


def test_manifest_has_the_command_events_scopes_and_home_the_code_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    source = inspect.getsource(handlers)
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == ["/conf"] and 'app.command("/conf")' in source
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_home_opened", "message.im"} <= set(events)
    # channel messages (public, private) reach the bot: an organizer's helpdesk answer in the helpdesk channel
    assert {"message.channels", "message.groups"} <= set(events) and "on_channel_message" in source
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {"commands", "chat:write", "im:history", "im:write", "users:read", "files:write"}  # + conversations.open
    needed |= {"channels:history", "groups:history"}  # what message.channels and message.groups need
    assert needed <= scopes
    settings = manifest["settings"]
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        manifest["features"]["slash_commands"][0]["url"],
    }
    assert all(u.endswith("/slack/events") for u in urls)


# the bot scope each Web API method the adapter calls needs (None: no scope)
SCOPES = {
    "chat_postMessage": "chat:write",
    "conversations_open": "im:write",
    "users_info": "users:read",
    "files_upload_v2": "files:write",
    "views_publish": None,
}


def test_every_web_api_method_the_code_calls_has_its_scope() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    source = inspect.getsource(handlers) + inspect.getsource(sender)
    called = set(re.findall(r"client\.([a-z_A-Z0-9]+)\(", source))
    assert called and called <= set(SCOPES), f"add {called - set(SCOPES)} and its scope to the manifest"
    needed = {SCOPES[m] for m in called} - {None}
    assert needed <= set(manifest["oauth_config"]["scopes"]["bot"])
