#!/usr/bin/env bash
# deploy/Dockerfile's steps without Docker (Docker cannot build or run images on this machine).
# Each block below is one Dockerfile step, done the same way in a scratch directory:
#   build stage: copy pyproject.toml, README.md, bot/, adapters/; `pip wheel --no-deps`; a fresh
#                virtualenv; `pip install` of that wheel alone (its dependencies from the index)
#   final stage: content/ and healthcheck.py beside it, the image's ENV, an empty working directory
#                (so nothing can be imported from the source tree)
# then runs what the image runs: `confbot --help`, `confbot content check`, the `confbot db`
# commands on SQLite, and `confbot run` (Telegram webhook mode against the fake Bot API) until the
# HEALTHCHECK command passes, then SIGTERM and exit 0. docs/deploy.md lists what this does not cover.
# Run: bash deploy/image-steps.sh   (from .ci/run; about a minute)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
dev_python="$repo/.venv/bin/python"  # only for the fake Bot API, which lives in tests/
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
quiet_pip() { "$@" 2>&1 | { grep -v "^WARNING: Location" || true; }; }  # this machine's index config is noisy

step "build stage: COPY pyproject.toml README.md bot/ adapters/"
mkdir -p "$work/src"
cp -r "$repo/pyproject.toml" "$repo/README.md" "$repo/bot" "$repo/adapters" "$work/src/"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +

step "build stage: pip wheel --no-deps --wheel-dir /wheels . && python -m venv /opt/confbot && pip install /wheels/confbot-*.whl"
quiet_pip "$python" -m pip wheel -q --no-deps --wheel-dir "$work/wheels" "$work/src"
"$python" -m venv "$work/opt/confbot"
quiet_pip "$work/opt/confbot/bin/pip" install -q "$work"/wheels/confbot-*.whl
ls "$work/wheels"

step "final stage: COPY content/ /app/content/, deploy/healthcheck.py /app/; ENV; WORKDIR /data"
mkdir -p "$work/app" "$work/data"
cp -r "$repo/content" "$work/app/content"
cp "$repo/deploy/healthcheck.py" "$work/app/healthcheck.py"
export PATH="$work/opt/confbot/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
export CONFBOT_CONTENT="$work/app/content/ebpf-china"
export CONFBOT_DATABASE_URL="sqlite:///$work/data/confbot.db"
export CONFBOT_HTTP_HOST=127.0.0.1
CONFBOT_HTTP_PORT="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export CONFBOT_HTTP_PORT
unset PYTHONPATH
cd "$work/data"
test "$(command -v confbot)" = "$work/opt/confbot/bin/confbot"
python -c 'import bot, sys; assert "site-packages" in bot.__file__, bot.__file__; print("bot from", bot.__file__)'

step "confbot --help"
help_text="$(confbot --help)"
printf '%s\n' "$help_text" | sed -n 1,12p

step "confbot content check (the content the image ships)"
confbot content check

step "confbot db upgrade / current / check"
confbot db upgrade
confbot db current
confbot db check

step "CMD confbot run, then the HEALTHCHECK command, then SIGTERM"
fake_port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$repo" && exec "$dev_python" -m tests.fakes.telegram_server "$fake_port") >"$work/fake.log" 2>&1 &
pids+=($!)
TELEGRAM_BOT_TOKEN="123456:TEST-token" TELEGRAM_API_URL="http://127.0.0.1:$fake_port/bot" \
  TELEGRAM_WEBHOOK_URL="https://image-steps.invalid" TELEGRAM_WEBHOOK_SECRET="image-steps" \
  confbot run >"$work/run.log" 2>&1 &
bot_pid=$!
pids+=("$bot_pid")
healthy=""
for _ in $(seq 1 120); do
  if python "$work/app/healthcheck.py" >/dev/null 2>&1; then
    healthy=yes
    break
  fi
  kill -0 "$bot_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$healthy" ]; then
  echo "FAILED: the HEALTHCHECK never passed; confbot run said:"
  cat "$work/run.log"
  exit 1
fi
python "$work/app/healthcheck.py" && echo "HEALTHCHECK (python /app/healthcheck.py): healthy"
kill -TERM "$bot_pid"
status=0
wait "$bot_pid" || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAILED: confbot run exited $status after SIGTERM:"
  cat "$work/run.log"
  exit 1
fi
echo "confbot run exited 0 after SIGTERM"
if grep -q "TEST-token" "$work/run.log"; then
  echo "FAILED: the token appears in the log"
  exit 1
fi
printf '\nimage steps: all passed\n'
