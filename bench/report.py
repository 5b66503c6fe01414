"""Figures, their targets, bench/results.json and the table of docs/performance.md. Pure: no Django, no I/O
beyond the caller's, so tests/bench checks them on fixed input."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """What a figure must reach: `on` is "value" or "ratio", `op` one of >=, <=, <, >."""

    on: str
    op: str
    threshold: float
    unit: str = ""

    def text(self) -> str:
        sign = {">=": "≥", "<=": "≤", "<": "<", ">": ">"}[self.op]
        if self.on == "ratio":
            return f"ratio {sign} {self.threshold:g}"
        return f"{sign} {self.threshold:g} {self.unit}".strip()

    def holds(self, value: float | None, ratio: float | None) -> bool | None:
        x = ratio if self.on == "ratio" else value
        if x is None:
            return False  # a figure with a target that was not measured does not hold
        return {">=": x >= self.threshold, "<=": x <= self.threshold, "<": x < self.threshold,
                ">": x > self.threshold}[self.op]


def figure(name: str, value: float | None, unit: str, *, floor: float | None = None, ratio: float | None = None,
           target: Target | None = None, note: str = "") -> dict:
    """One row of results.json: {"name", "value", "unit", "floor", "ratio", "target", "ok"} (+ "note")."""
    if ratio is None and floor not in (None, 0) and value is not None:
        ratio = value / floor
    row = {
        "name": name,
        "value": _round(value),
        "unit": unit,
        "floor": _round(floor),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target.text() if target else None,
        "ok": target.holds(value, ratio) if target else None,
    }
    if note:
        row["note"] = note
    return row


def _round(x: float | None) -> float | None:
    if x is None:
        return None
    if abs(x) >= 100:
        return round(x, 1)
    return round(x, 3)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def median_ratio(values: list[float], floors: list[float]) -> float:
    """The median of the per-run ratios: each run's figure against the floor measured beside it."""
    return statistics.median(v / f for v, f in zip(values, floors, strict=True) if f)


def _cell(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "✅" if x else "❌"
    if isinstance(x, float):
        return f"{x:,.3f}".rstrip("0").rstrip(".") if abs(x) < 100 else f"{x:,.1f}"
    return str(x)


def markdown_table(rows: list[dict], before: dict[str, dict] | None = None) -> str:
    """The results as a table; with `before` (name → that figure in an earlier run), a Before column."""
    head = "| Figure | Before | Value | Unit | Floor | Ratio | Target | OK |" if before is not None else \
        "| Figure | Value | Unit | Floor | Ratio | Target | OK |"
    out = [head, "|---|" + ("---:|" if before is not None else "") + "---:|---|---:|---:|---|:-:|"]
    for r in rows:
        ok = "—" if r["ok"] is None else ("✅" if r["ok"] else "❌")
        was = ""
        if before is not None:
            b = before.get(r["name"])
            was = "—" if b is None or b["value"] is None else _cell(b["value"]) + (
                f" ({_cell(b['ratio'])})" if b.get("ratio") is not None else "")
            was = f" {was} |"
        out.append(f"| {r['name']} |{was} {_cell(r['value'])} | {r['unit']} | {_cell(r['floor'])} | {_cell(r['ratio'])} | "
                   f"{r['target'] or '—'} | {ok} |")
    return "\n".join(out) + "\n"


def summary(rows: list[dict]) -> dict:
    with_target = [r for r in rows if r["ok"] is not None]
    return {"figures": len(rows), "with_target": len(with_target), "holding": sum(1 for r in with_target if r["ok"]),
            "failing": [r["name"] for r in with_target if not r["ok"]]}
