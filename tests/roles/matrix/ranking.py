"""deqing_hub: the ranking's score formulas, monthly totals, snapshots (cross-app pages)."""

from __future__ import annotations

ADMIN: list = []
