"""``python -m adapters.cli``: the same as the ``confbot`` command."""

from __future__ import annotations

from adapters.cli.main import main

main()
