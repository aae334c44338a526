"""``python -m filterlang``: the same command as ``filterlang``."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
