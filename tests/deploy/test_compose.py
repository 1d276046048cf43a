"""deploy/compose.yaml: valid against the Compose Specification, PostgreSQL 16, a health-gated start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.deploy.tools import DEPLOY, run, tool

COMPOSE = DEPLOY / "compose.yaml"


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def check(path: Path) -> tuple[int, str]:
    """check-jsonschema against the compose-spec schema it bundles (no network): the schema half
    of `docker compose config`."""
    checker = tool("check-jsonschema", "the compose file's validation")
    result = run(checker, "--builtin-schema", "vendor.compose-spec", str(path))
    return result.returncode, result.stdout + result.stderr


def test_compose_file_is_valid() -> None:
    code, output = check(COMPOSE)
    assert code == 0, output


def test_the_schema_check_rejects_a_broken_compose_file(tmp_path: Path) -> None:
    broken = compose()
    broken["services"]["bot"]["depends_on"]["db"]["condition"] = "service_up"
    broken["services"]["db"]["healthcheck"]["intervall"] = "5s"
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    code, output = check(path)
    assert code != 0
    assert "service_up" in output
    assert "intervall" in output


def test_the_bot_starts_only_after_postgres_16_is_healthy() -> None:
    services = compose()["services"]
    db, bot = services["db"], services["bot"]
    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["environment"]["CONFBOT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@db:5432/" in bot["environment"]["CONFBOT_DATABASE_URL"]


def test_the_database_lives_on_a_named_volume_and_the_bot_reads_env() -> None:
    data = compose()
    mounts = data["services"]["db"]["volumes"]
    names = {mount.split(":")[0] for mount in mounts}
    assert names & set(data["volumes"]), "PostgreSQL's data must survive `docker compose down`"
    assert data["services"]["bot"]["env_file"] == [".env"]
    build = data["services"]["bot"]["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == (DEPLOY / "Dockerfile")
