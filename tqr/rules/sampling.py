"""The city's random sample for the secondary review (复审), drawn so that anyone can check it (pure, no Django).

黔江教办〔2023〕155号 三（六）: the city reviews the evidence of a random sample of each district's applicants.
The draw is verifiable, in four steps that the service keeps in this order:

1. **Freeze the population.** When a district's batch arrives, the applications in it become ``Member``
   rows (application id, stratum, initial conclusion). ``canonical_population`` serialises them one way
   only — sorted by id, JSON with ``sort_keys``, ``ensure_ascii=False`` and no spaces, UTF-8 — and
   ``population_hash`` is the SHA-256 of those bytes. The list is published as exactly those bytes.
2. **Commit to a seed.** ``new_seed`` makes 32 random bytes (hex); ``seed_hash`` (SHA-256 of its UTF-8) is
   recorded *before* the draw, so nobody can try seeds until one gives a sample they like.
3. **Draw.** Each member's rank is HMAC-SHA256(key=seed, message=str(id)); in each stratum the members
   with the smallest ranks are taken, n = max(minimum, ⌈rate × stratum size⌉), at most the whole stratum.
   With ``include_non_qualified`` every member whose conclusion is 暂缓 or 不合格 is added too. Nothing
   else goes in: the same members (in any order), seed and spec always give the same ``Draw``.
4. **Publish and verify.** After the draw the seed is published; ``verify`` recomputes the three parts
   from the published list and seed and says, in Chinese, which one differs.

Rate, minimum per stratum and whether 暂缓/不合格 are all taken are round settings (domain §4 [assumed]:
10 %, 1, yes). When the share of sampled applications found wrong passes a threshold (a setting too),
the city may widen the check to the whole stratum (``should_widen``, ``widen``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .i18n import CLAUSE_SEPARATOR, Join, Text, gettext_noop

__all__ = [
    "NON_QUALIFIED_CONCLUSIONS",
    "REASON_LABELS",
    "DEFAULT_SPEC",
    "Draw",
    "Member",
    "SampleSpec",
    "Verification",
    "canonical_population",
    "discrepancy_rate",
    "draw",
    "new_seed",
    "parse_population",
    "population_hash",
    "quotas",
    "rank",
    "seed_hash",
    "should_widen",
    "stratum_quota",
    "verify",
    "widen",
]

# The conclusions that are always checked when the spec says so: the model's values and the printed
# labels, since a published list may carry either.
NON_QUALIFIED_CONCLUSIONS = frozenset({"deferred", "unqualified", "暂缓注册", "暂缓", "不合格"})  # i18n: data (published lists)

RANDOM = "random"
NON_QUALIFIED = "non_qualified"
WIDENED = "widened"
REASON_LABELS = {
    RANDOM: gettext_noop("随机抽取"),
    NON_QUALIFIED: gettext_noop("暂缓或不合格全部抽查"),
    WIDENED: gettext_noop("扩大抽查（整层）"),
}

MAX_LISTED_IDS = 20  # in a problem message; the rest are counted


@dataclass(frozen=True)
class Member:
    """One application in the frozen population."""

    id: int  # the application's id, as published
    stratum: tuple[str, ...]  # e.g. (school code,) or (school code, qualification type)
    conclusion: str  # the initial conclusion (初审结论): qualified / deferred / unqualified, or its label

    def __post_init__(self) -> None:
        if not isinstance(self.id, int) or isinstance(self.id, bool):
            raise TypeError(f"member id must be an int, got {self.id!r}")
        stratum = tuple(self.stratum)  # a list read back from JSON is accepted
        if not stratum or not all(isinstance(part, str) for part in stratum):
            raise ValueError(f"member {self.id}: the stratum must be a non-empty tuple of strings")
        object.__setattr__(self, "stratum", stratum)
        if not isinstance(self.conclusion, str):
            raise TypeError(f"member {self.id}: the conclusion must be a string")

    @property
    def non_qualified(self) -> bool:
        return self.conclusion in NON_QUALIFIED_CONCLUSIONS


@dataclass(frozen=True)
class SampleSpec:
    """How much to draw. Floats are read through ``str`` (0.1 is 0.1, not 0.1000000000000000055…)."""

    rate: Decimal | float = Decimal("0.10")
    include_non_qualified: bool = True
    per_stratum_minimum: int = 1

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.decimal_rate <= Decimal(1):
            raise ValueError(f"the sampling rate must be between 0 and 1, got {self.rate}")
        if self.per_stratum_minimum < 0:
            raise ValueError("the minimum per stratum cannot be negative")

    @property
    def decimal_rate(self) -> Decimal:
        return _decimal(self.rate)


def _decimal(value: Decimal | float | int) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


DEFAULT_SPEC = SampleSpec()  # the round's defaults: 10 %, at least 1 per stratum, all 暂缓/不合格


# --- the frozen population ---------------------------------------------------------------------------


def _sorted_members(members: Iterable[Member]) -> list[Member]:
    ordered = sorted(members, key=lambda m: m.id)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.id == after.id:
            raise ValueError(f"application {after.id} appears twice in the population")
    return ordered


def canonical_population(members: Iterable[Member]) -> bytes:
    """The one serialisation that is hashed and published.

    ``[{"conclusion":"qualified","id":17,"stratum":["500114001"]}, …]`` sorted by id; keys sorted, no
    whitespace, non-ASCII as is, UTF-8. Recompute with
    ``hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())``.
    """
    rows = [{"id": m.id, "stratum": list(m.stratum), "conclusion": m.conclusion} for m in _sorted_members(members)]
    return json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_population(data: bytes | str) -> tuple[Member, ...]:
    """The members of a published list (the inverse of ``canonical_population``)."""
    rows = json.loads(data)
    return tuple(Member(row["id"], tuple(row["stratum"]), row["conclusion"]) for row in rows)


def population_hash(members: Iterable[Member]) -> str:
    """SHA-256 hex of ``canonical_population``: changes when any id, stratum or conclusion changes."""
    return hashlib.sha256(canonical_population(members)).hexdigest()


# --- the seed and the ranks ---------------------------------------------------------------------------


def new_seed() -> str:
    """256 random bits from the operating system, as 64 hex characters."""
    return secrets.token_hex(32)


def seed_hash(seed: str) -> str:
    """SHA-256 hex of the seed's UTF-8 bytes: recorded before the draw, compared after."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def rank(seed: str, member_id: int) -> str:
    """HMAC-SHA256(key=seed, message=decimal id) hex: a member's place in the draw, unpredictable without
    the seed and fixed once the seed is."""
    return hmac.new(seed.encode("utf-8"), str(member_id).encode("ascii"), hashlib.sha256).hexdigest()


# --- the draw -----------------------------------------------------------------------------------------


def stratum_quota(size: int, spec: SampleSpec) -> int:
    """How many members of a stratum of ``size`` are drawn at random: max(minimum, ⌈rate × size⌉) ≤ size."""
    wanted = math.ceil(spec.decimal_rate * size)  # Decimal: 10 % of 30 is 3, never 4
    return min(size, max(spec.per_stratum_minimum, wanted))


@dataclass(frozen=True)
class Draw:
    """The result of one draw. ``chosen`` is sorted; ``reasons`` gives each chosen id's reason code
    (``random`` wins when a 暂缓/不合格 member was also drawn at random)."""

    population_hash: str
    seed_hash: str
    strata: dict[tuple[str, ...], list[int]]  # every member's id by stratum, sorted
    chosen: tuple[int, ...]
    reasons: dict[int, str]  # id → "random" | "non_qualified"
    per_stratum: dict[tuple[str, ...], int]  # drawn at random in each stratum

    @property
    def size(self) -> int:
        return sum(len(ids) for ids in self.strata.values())

    def chosen_for(self, reason: str) -> tuple[int, ...]:
        return tuple(i for i in self.chosen if self.reasons[i] == reason)


def draw(members: Iterable[Member], seed: str, spec: SampleSpec = DEFAULT_SPEC) -> Draw:
    """Draw the sample: per stratum the ``stratum_quota`` members with the smallest rank, then (when the
    spec says so) every 暂缓/不合格 member. Deterministic in the members (not their order), seed and spec."""
    ordered = _sorted_members(members)
    by_stratum: dict[tuple[str, ...], list[Member]] = {}
    for member in ordered:
        by_stratum.setdefault(member.stratum, []).append(member)

    reasons: dict[int, str] = {}
    per_stratum: dict[tuple[str, ...], int] = {}
    for stratum in sorted(by_stratum):
        group = by_stratum[stratum]
        n = stratum_quota(len(group), spec)
        # (rank, id): ids break a tie, which for HMAC-SHA256 would take a collision.
        for member in sorted(group, key=lambda m: (rank(seed, m.id), m.id))[:n]:
            reasons[member.id] = RANDOM
        per_stratum[stratum] = n
    if spec.include_non_qualified:
        for member in ordered:
            if member.non_qualified:
                reasons.setdefault(member.id, NON_QUALIFIED)

    return Draw(
        population_hash=population_hash(ordered),
        seed_hash=seed_hash(seed),
        strata={stratum: [m.id for m in by_stratum[stratum]] for stratum in sorted(by_stratum)},
        chosen=tuple(sorted(reasons)),
        reasons=dict(sorted(reasons.items())),
        per_stratum=per_stratum,
    )


# --- verification -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    ok: bool
    problems: list[str]  # in Chinese, one per part that differs; empty when ok
    redrawn: Draw  # the draw recomputed from the given members and seed
    texts: list[Text] = field(default_factory=list, compare=False, repr=False)  # the problems, to translate


def _id_list(ids: Iterable[int]) -> Text:
    ids = sorted(ids)
    shown = Join(ids[:MAX_LISTED_IDS])
    if len(ids) > MAX_LISTED_IDS:
        return Text(gettext_noop("%(ids)s等%(count)s个"), {"ids": shown, "count": len(ids)})
    return Text("%(ids)s", {"ids": shown})


def verify(
    members: Iterable[Member],
    seed: str,
    spec: SampleSpec = DEFAULT_SPEC,
    *,
    recorded_population_hash: str,
    recorded_seed_hash: str,
    recorded_chosen: Iterable[int],
) -> Verification:
    """Recompute the draw from the published list and seed and compare each part with the record."""
    redrawn = draw(members, seed, spec)
    problems: list[Text] = []
    if redrawn.population_hash != recorded_population_hash.strip().lower():
        problems.append(Text(gettext_noop("抽查对象总体已变化（哈希不一致）")))
    if redrawn.seed_hash != recorded_seed_hash.strip().lower():
        problems.append(Text(gettext_noop("种子与抽签前登记的哈希不一致")))
    recorded = set(recorded_chosen)
    recomputed = set(redrawn.chosen)
    if recorded != recomputed:
        parts = []
        if recorded - recomputed:
            parts.append(Text(gettext_noop("记录中多出：%(ids)s"), {"ids": _id_list(recorded - recomputed)}))
        if recomputed - recorded:
            parts.append(Text(gettext_noop("记录中缺少：%(ids)s"), {"ids": _id_list(recomputed - recorded)}))
        problems.append(
            Text(
                gettext_noop("按种子重新抽取的名单与记录不一致（%(parts)s）"),
                {"parts": Join(parts, CLAUSE_SEPARATOR)},
            )
        )
    return Verification(
        ok=not problems, problems=[p.render() for p in problems], redrawn=redrawn, texts=problems
    )


# --- widening the sample ------------------------------------------------------------------------------


def discrepancy_rate(checked: int, discrepancies: int) -> Decimal:
    """Share of the checked applications found wrong, exact (1 of 3 → 0.333…); 0 when none was checked."""
    if checked < 0 or discrepancies < 0 or discrepancies > checked:
        raise ValueError(f"{discrepancies} discrepancies among {checked} checked applications")
    return Decimal(discrepancies) / Decimal(checked) if checked else Decimal(0)


def should_widen(rate: Decimal | float, threshold: Decimal | float) -> bool:
    """Widen to the whole stratum when the discrepancy rate reaches the threshold (达到即扩大).

    A rate of 0 never widens, even with a threshold of 0: no discrepancy found is no reason to check more.
    """
    found = _decimal(rate)
    return found > 0 and found >= _decimal(threshold)


def widen(draw: Draw, stratum: Iterable[str]) -> tuple[int, ...]:
    """The ids of ``stratum`` not chosen yet, sorted: what widening the check to the stratum adds."""
    key = tuple(stratum)
    if key not in draw.strata:
        raise KeyError(f"no stratum {key!r} in this draw")
    chosen = set(draw.chosen)
    return tuple(i for i in draw.strata[key] if i not in chosen)


def quotas(strata: Mapping[tuple[str, ...], int], spec: SampleSpec) -> dict[tuple[str, ...], int]:
    """How many each stratum of the given sizes would draw at random (for a preview before the draw)."""
    return {stratum: stratum_quota(size, spec) for stratum, size in strata.items()}
