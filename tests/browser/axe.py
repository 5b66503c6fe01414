"""axe-core in the page: inject the pinned axe.min.js (scripts/ensure_axe.py puts it in var/node/) and run the
WCAG 2.0/2.1 A and AA rules. Without it the accessibility tests are skipped with a loud message."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")


def require_axe() -> None:
    if not AXE_JS.exists():
        message = (f"axe-core not found at {AXE_JS}: accessibility tests SKIPPED "
                   "(make test installs it: python scripts/ensure_axe.py)")
        print(f"\n!!!!! {message} !!!!!", file=sys.stderr)
        pytest.skip(message)


def axe_violations(page) -> list[dict]:
    """The serious and critical violations on the page as it is now: [{id, impact, help, targets}]."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS)
    if os.environ.get("TQR_AXE_REPORT"):  # every finding, any impact, as JSON lines (for a person to read)
        with open(os.environ["TQR_AXE_REPORT"], "a", encoding="utf-8") as out:
            for v in result["violations"]:
                out.write(json.dumps({"url": page.url, "width": page.viewport_size["width"], "id": v["id"],
                                      "impact": v["impact"], "targets": [n["target"] for n in v["nodes"]]},
                                     ensure_ascii=False) + "\n")
    found = []
    for v in result["violations"]:
        if v["impact"] not in FAILING_IMPACTS:
            continue
        found.append({"id": v["id"], "impact": v["impact"], "help": v["help"],
                      "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]],
                      "summary": v["nodes"][0].get("failureSummary", "") if v["nodes"] else ""})
    return found


def describe(where: str, violations: list[dict]) -> list[str]:
    return [f"{where}: {v['id']} ({v['impact']}) {', '.join(v['targets'][:6])}"
            f"{' …' if len(v['targets']) > 6 else ''}" for v in violations]


BROKEN_REFERENCES = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby], [aria-controls], label[for]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for']) {
      const value = el.getAttribute(attr);
      if (!value || (attr === 'for' && el.tagName !== 'LABEL')) continue;
      for (const id of value.split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) out.push(`${el.tagName.toLowerCase()}[${attr}] -> #${id} is not on the page`);
      }
    }
  }
  const seen = new Set();
  for (const el of document.querySelectorAll('[id]')) {
    if (seen.has(el.id)) out.push(`duplicate id #${el.id}`);
    seen.add(el.id);
  }
  return out;
}"""


def broken_references(page) -> list[str]:
    """What axe only half-checks: every id a label, a description or a control names is on the page, once
    (a field's error message that is not where aria-describedby points is never read out)."""
    return page.evaluate(BROKEN_REFERENCES)
