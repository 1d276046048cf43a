"""deploy/confbot.service: `systemd-analyze verify` finds nothing, and the sandbox is tight."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.deploy.tools import DEPLOY, run, tool

UNIT = DEPLOY / "confbot.service"
EXEC = "/opt/confbot/bin/confbot"


def installed_copy(tmp_path: Path, text: str | None = None) -> Path:
    """The unit with ExecStart pointing at this virtualenv's confbot (verify checks it exists)."""
    confbot = Path(sys.executable).parent / "confbot"
    copy = tmp_path / "confbot.service"
    copy.write_text((text or UNIT.read_text(encoding="utf-8")).replace(EXEC, str(confbot)), encoding="utf-8")
    return copy


def verify(unit: Path) -> str:
    """Everything systemd-analyze verify says about the unit (it exits 0 on mere warnings)."""
    analyze = tool("systemd-analyze", "the systemd unit's verification")
    result = run(analyze, "verify", str(unit))
    return (result.stdout + result.stderr).strip() + ("" if result.returncode == 0 else f" (exit {result.returncode})")


def service() -> dict[str, list[str]]:
    """The [Service] section's directives, each with all its values (a key may repeat)."""
    directives: dict[str, list[str]] = {}
    section = ""
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            directives.setdefault(key, []).append(value)
    return directives


def test_systemd_analyze_verify_is_silent(tmp_path: Path) -> None:
    assert verify(installed_copy(tmp_path)) == ""


def test_verify_would_report_a_misspelt_directive(tmp_path: Path) -> None:
    # the check is live: a typo in a hardening line, which systemd would silently ignore, is caught
    text = UNIT.read_text(encoding="utf-8").replace("ProtectSystem=strict", "ProtectSytem=strict")
    assert "ProtectSytem" in verify(installed_copy(tmp_path, text))


def test_the_sandbox_scores_as_exposed_little(tmp_path: Path) -> None:
    analyze = tool("systemd-analyze", "the systemd unit's security score")
    result = run(analyze, "security", "--offline=true", "--no-pager", str(installed_copy(tmp_path)))
    score = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout + result.stderr)
    assert score, result.stdout + result.stderr
    assert float(score.group(1)) <= 2.0  # "OK"; a plain unit scores 9.6 ("UNSAFE")


def test_the_unit_runs_confbot_as_a_throwaway_user_with_state_and_an_environment_file() -> None:
    unit = service()
    assert unit["ExecStart"] == [f"{EXEC} run"]
    assert unit["DynamicUser"] == ["yes"]
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["NoNewPrivileges"] == ["yes"]
    assert unit["StateDirectory"] == ["confbot"]
    assert unit["EnvironmentFile"] == ["/etc/confbot/confbot.env"]
    # SQLite in the only writable directory, unless the environment file (which wins) names PostgreSQL
    assert "CONFBOT_DATABASE_URL=sqlite:////var/lib/confbot/confbot.db" in unit["Environment"]
    assert unit["WorkingDirectory"] == ["/var/lib/confbot"]
