"""axe-core in the browser journeys: no serious or critical accessibility violation.

axe-core is vendored from the npm registry (tests/vendor/axe-core, see VERSION there), so the
check runs offline like the rest of the suite. It is evaluated through the DevTools protocol
(``page.evaluate``), which the portal's Content-Security-Policy does not govern: the page under
test keeps its real policy, and no inline script has to be allowed for the audit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
BLOCKING = {"serious", "critical"}


def violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it stands now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in found if v.get("impact") in BLOCKING]


def assert_accessible(page: Any) -> None:
    """Fail with each rule, its impact and the first offending elements."""
    found = violations(page)
    assert not found, "axe-core on {}:\n{}".format(
        page.url,
        "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in found
        ),
    )
