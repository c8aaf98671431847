"""Dashboard tests share the ranking's first score formula (a flushed database loses it)."""

from tests.ranking.conftest import first_formula  # noqa: F401 - autouse fixture
