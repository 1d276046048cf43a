"""The container's HEALTHCHECK: exit 0 when ``GET /healthz`` on this host answers 200, else 1.

Standard library only (the slim image has no curl). It reads ``CONFBOT_HTTP_PORT`` as ``confbot
run`` does, so a changed port needs no second setting.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    """Probe /healthz once; print why it failed (docker inspect shows the last lines)."""
    port = os.environ.get("CONFBOT_HTTP_PORT", "8080")
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:  # noqa: S310 (fixed http URL)
            status = response.status
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {url}: {error}")
        return 1
    if status != 200:
        print(f"unhealthy: {url} answered {status}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
