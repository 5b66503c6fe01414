"""The audit log's hash chain: each row carries the hash of the row before it (等保 8.1.4.3 c; ASVS 16.4.2).

`row_hash = sha256(prev_hash + canonical JSON of the row's fields)`, the first row's `prev_hash` being
GENESIS. Changing, inserting or deleting a row breaks the chain at that row (or the next one), which
`python manage.py verify_audit` reports. The chain alone does not stop someone who can write the table
from recomputing every hash after a change: the exported lines held by the log server are the outside
anchor, and PostgreSQL refuses UPDATE and DELETE on the table (migration 0002).

This module is also the one definition of an exported line (`as_line`), so that the log server can
recompute the chain from what it received.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
# The fields a row's hash covers, in the order of the canonical form (keys are sorted anyway).
HASHED_FIELDS = (
    "ts", "user_id", "username", "role", "org_id", "ip", "action", "object_type", "object_id", "object_label",
    "result", "request_id", "data",
)
# Everything verify_audit and the export read from a row.
ROW_FIELDS = ("id", *HASHED_FIELDS, "prev_hash", "row_hash")
# pg_advisory_xact_lock key that serialises writers of the chain ("tqr_audt" as a big-endian int64).
CHAIN_LOCK = int.from_bytes(b"tqr_audt", "big")


def _timestamp(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(value: Any) -> Any:
    """JSON data as the database gives it back: first exactly as stored (json.dumps: tuples become lists,
    keys strings), then an integral float as an integer (PostgreSQL's jsonb returns 1e20 as
    100000000000000000000), so that the hash does not depend on which side computed it."""

    def integral(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {k: integral(x) for k, x in v.items()}
        if isinstance(v, list):
            return [integral(x) for x in v]
        return v

    return integral(json.loads(json.dumps(value)))


def canonical(row: dict[str, Any]) -> str:
    """The row's hashed fields as compact JSON with sorted keys (the same bytes on every database)."""
    fields = {name: row[name] for name in HASHED_FIELDS}
    fields["ts"] = _timestamp(fields["ts"])
    fields["data"] = _plain(fields["data"] or {})
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first row where the chain does not hold, and why."""

    row_id: int
    reason: str


def verify(rows: Iterable[dict[str, Any]]) -> tuple[int, Break | None]:
    """Walk rows in id order: (rows checked, the first break or None). Constant memory."""
    expected_prev = GENESIS
    count = 0
    for row in rows:
        count += 1
        if row["prev_hash"] != expected_prev:
            reason = "缺少链哈希" if not row["prev_hash"] else "与上一条的哈希不相连（其前有记录被删除、插入或改动）"
            return count, Break(row["id"], reason)
        if row["row_hash"] != row_hash(row["prev_hash"], row):
            return count, Break(row["id"], "内容与其哈希不符（该条被改动）")
        expected_prev = row["row_hash"]
    return count, None


def stream(queryset, *, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    """The rows of a queryset of AuditEvent as dicts in id order, fetched by keyset pages of chunk_size
    (no long-lived cursor, constant memory on any database)."""
    last_id = 0
    while True:
        page = list(queryset.filter(id__gt=last_id).order_by("id").values(*ROW_FIELDS)[:chunk_size])
        yield from page
        if len(page) < chunk_size:
            return
        last_id = page[-1]["id"]


def as_line(row: dict[str, Any]) -> str:
    """One exported JSON line for the log server: the row's fields, its id and both hashes."""
    line = {name: row[name] for name in ROW_FIELDS}
    line["ts"] = _timestamp(row["ts"])
    return json.dumps(line, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
