"""`.env.example` lists every environment variable the settings read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Set only by the test runner itself, never by an operator.
INTERNAL = {"DJANGO_TESTING"}


def test_every_variable_read_by_the_settings_is_documented():
    settings_text = (ROOT / "deqing_hub" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', settings_text))
    read |= set(re.findall(r'_required\("([A-Z][A-Z0-9_]+)"\)', settings_text))
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert read, "the scan found no variables at all"
    assert sorted(read - INTERNAL - documented) == []
