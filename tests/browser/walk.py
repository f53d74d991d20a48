"""Checks a page walk makes on every page: it fits the screen, and axe-core finds no serious
or critical accessibility violation. axe-core is vendored for the tests (vendor/, MPL-2.0)."""

import os

AXE_PATH = os.path.join(os.path.dirname(__file__), "vendor", "axe.min.js")
BLOCKING = ("serious", "critical")


def document_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page as it stands, each with its impact and nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        with open(AXE_PATH, encoding="utf-8") as file:
            # Evaluated through the DevTools protocol: the page's CSP does not apply to it.
            page.evaluate(file.read() + "\n;undefined")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""")
    return result


def by_impact(violations: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for violation in violations:
        counts[violation["impact"] or "unknown"] = counts.get(violation["impact"] or "unknown",
                                                              0) + 1
    return counts
