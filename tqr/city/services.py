"""The city's writes: the verifiable sample, the check of each sampled item, the district's answer, the
final approval that gives each registration its validity, and the stickers. Application states change only
through `application_transition`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tqr.applications.models import Application
from tqr.applications.services import ApplicationError, application_transition, application_transition_many
from tqr.audit.services import record
from tqr.campaigns.models import Round
from tqr.city.models import FinalApproval, Sample, SampleItem, Sticker
from tqr.core.rules_text import rule_text
from tqr.notifications.services import notify
from tqr.rules import sampling
from tqr.rules.flow import State
from tqr.teachers.models import Certificate, RegistrationRecord

BATCH_STATES = (State.REPORTED, State.CITY_RETURNED, State.FINAL)
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud and typed


def _stratum(app: Application, by_qualification: bool) -> tuple[str, ...]:
    unit = app.confirmation_point.code
    return (unit, app.cert_type) if by_qualification else (unit,)


def members_of(round_: Round, *, by_qualification: bool) -> list[sampling.Member]:
    """The district's reported batch as the sampling rules see it."""
    apps = Application.objects.filter(round=round_, state__in=BATCH_STATES).select_related("confirmation_point")
    return [sampling.Member(id=a.pk, stratum=_stratum(a, by_qualification), conclusion=a.conclusion) for a in apps]


def _members_from(population: list[dict]) -> list[sampling.Member]:
    return [sampling.Member(id=m["id"], stratum=tuple(m["stratum"]), conclusion=m["conclusion"]) for m in population]


def _spec(sample_or_round) -> sampling.SampleSpec:
    if isinstance(sample_or_round, Sample):
        return sampling.SampleSpec(rate=sample_or_round.rate, include_non_qualified=sample_or_round.include_non_qualified)
    return sampling.SampleSpec(rate=sample_or_round.sampling_rate,
                               include_non_qualified=sample_or_round.sample_all_non_qualified)


@transaction.atomic
def sample_draw(*, round_: Round, actor, by_qualification: bool = False) -> Sample:
    """Freeze the population, fix the seed and record both hashes, then draw. Once per batch."""
    from tqr.reviews.models import CityReport

    if not CityReport.objects.filter(round=round_).exists():
        raise ValidationError(_("区县尚未上报初审数据，不能抽查"))
    if Sample.objects.select_for_update().filter(round=round_).exists():
        raise ValidationError(_("该区县本批次已抽取样本，不能重复抽取"))
    members = members_of(round_, by_qualification=by_qualification)
    if not members:
        raise ValidationError(_("没有可抽查的申请"))
    seed = sampling.new_seed()
    spec = _spec(round_)
    result = sampling.draw(members, seed, spec)
    sample = Sample.objects.create(
        round=round_, population=[{"id": m.id, "stratum": list(m.stratum), "conclusion": m.conclusion}
                                  for m in sorted(members, key=lambda m: m.id)],
        population_hash=result.population_hash, seed=seed, seed_hash=result.seed_hash, rate=spec.rate,
        by_qualification=by_qualification, include_non_qualified=spec.include_non_qualified,
        chosen=list(result.chosen), drawn_by=actor)
    strata = {m.id: "/".join(m.stratum) for m in members}
    SampleItem.objects.bulk_create(
        SampleItem(sample=sample, application_id=i, stratum=strata[i], reason=result.reasons[i])
        for i in result.chosen)
    apps = Application.objects.filter(pk__in=result.chosen).select_related("round__district", "teacher__user",
                                                                           "confirmation_point")
    for app in apps:
        notify("sampled", application=app)
    record("sample.draw", actor=actor, obj=sample, data={"population": len(members), "chosen": len(result.chosen),
                                                         "population_hash": result.population_hash,
                                                         "seed_hash": result.seed_hash})
    return sample


@dataclass(frozen=True)
class SampleCheck:
    ok: bool
    problems: list[str]
    population_changed: bool


def sample_verify(sample: Sample) -> SampleCheck:
    """Recompute the draw from the recorded population and seed; also say if the live batch changed since."""
    recorded = _members_from(sample.population)
    check = sampling.verify(recorded, sample.seed, _spec(sample), recorded_population_hash=sample.population_hash,
                            recorded_seed_hash=sample.seed_hash,
                            recorded_chosen=tuple(i for i in sample.chosen if i not in _widened_ids(sample)))
    live = members_of(sample.round, by_qualification=sample.by_qualification)
    changed = sampling.population_hash(live) != sample.population_hash
    problems = [rule_text(text) for text in check.texts]
    if changed:
        problems.append(_("提示：抽取之后该批次的总体已有变化（如区县核实后修改了结论），以上核验基于抽取时冻结的总体"))
    return SampleCheck(check.ok, problems, changed)


def _widened_ids(sample: Sample) -> set[int]:
    return set(sample.items.filter(reason=SampleItem.Reason.WIDENED).values_list("application_id", flat=True))


@transaction.atomic
def item_check(*, item: SampleItem, result: str, note: str, actor) -> SampleItem:
    item = SampleItem.objects.select_for_update().select_related("application").get(pk=item.pk)
    if item.result:
        raise ValidationError(_("该项已核查"))
    if result not in SampleItem.Result.values:
        raise ValidationError(_("请选择核查结果：相符或不符"))
    if result == SampleItem.Result.DISCREPANCY:
        if not note.strip():
            raise ValidationError(_("不符时必须写明问题，以便区县核实"))
        try:
            application_transition(application=item.application, action="city_return", actor=actor, note=note.strip())
        except ApplicationError as exc:
            raise ValidationError(exc.message) from None
    item.result, item.note = result, note.strip()
    item.checked_at, item.checked_by = timezone.now(), actor
    item.save()
    record("sample.check", actor=actor, obj=item, data={"result": result})
    return item


@transaction.atomic
def district_answer(*, application: Application, conclusion: str, reason: str, actor) -> Application:
    """The district corrects a returned application and sends it up again (the conclusion may change)."""
    try:
        app = application_transition(application=application, action="city_resubmit", actor=actor,
                                     conclusion=conclusion, note=reason, codes=application.conclusion_codes)
    except ApplicationError as exc:
        raise ValidationError(exc.message) from None
    SampleItem.objects.filter(application=app).update(answered_at=timezone.now())
    return app


def stratum_discrepancy(sample: Sample, stratum: str) -> tuple[int, int]:
    items = sample.items.filter(stratum=stratum).exclude(result="")
    return items.count(), items.filter(result=SampleItem.Result.DISCREPANCY).count()


@transaction.atomic
def sample_widen(*, sample: Sample, stratum: str, actor) -> int:
    """When a stratum's discrepancy rate reaches the round's threshold, check the whole stratum."""
    checked, bad = stratum_discrepancy(sample, stratum)
    rate = sampling.discrepancy_rate(checked, bad)
    if not sampling.should_widen(rate, sample.round.discrepancy_threshold):
        raise ValidationError(_("该层不符率为 %(rate)s，未达到扩大抽查的标准（%(threshold)s）")
                              % {"rate": f"{rate:.0%}", "threshold": f"{sample.round.discrepancy_threshold:.0%}"})
    have = set(sample.items.values_list("application_id", flat=True))
    more = [m for m in _members_from(sample.population) if "/".join(m.stratum) == stratum and m.id not in have]
    SampleItem.objects.bulk_create(SampleItem(sample=sample, application_id=m.id, stratum=stratum,
                                              reason=SampleItem.Reason.WIDENED) for m in more)
    for app in Application.objects.filter(pk__in=[m.id for m in more]).select_related("round__district", "teacher__user"):
        notify("sampled", application=app)
    sample.widened = [*sample.widened, stratum]
    sample.save(update_fields=["widened"])
    record("sample.widen", actor=actor, obj=sample, data={"stratum": stratum, "added": len(more)})
    return len(more)


def open_returns(round_: Round) -> int:
    return Application.objects.filter(round=round_, state=State.CITY_RETURNED).count()


def new_code(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(CODE_ALPHABET) for _position in range(6))


def validity(round_: Round, day: date) -> tuple[date, date]:
    """From the final-review date for the round's validity years (5 by default), the last day included."""
    try:
        end = day.replace(year=day.year + round_.validity_years)
    except ValueError:  # 29 February
        end = day.replace(year=day.year + round_.validity_years, day=28)
    return day, end - timedelta(days=1)


def _final_note(app: Application) -> str:
    """The note of the application's history: stored, so in the system's language whoever approves."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("终审通过，注册结论：%(conclusion)s") % {"conclusion": app.get_conclusion_display()}


@transaction.atomic
def final_approve(*, round_: Round, actor, day: date | None = None) -> FinalApproval:
    """终审: once the sample is checked and every return answered, every conclusion takes effect."""
    day = day or timezone.localdate()
    if FinalApproval.objects.select_for_update().filter(round=round_).exists():
        raise ValidationError(_("该区县本年度已终审"))
    sample = Sample.objects.filter(round=round_).first()
    if sample is None:
        raise ValidationError(_("尚未抽取复审样本，不能终审"))
    unchecked = sample.items.filter(result="").count()
    if unchecked:
        raise ValidationError(ngettext("还有 %(count)s 份抽查样本未核查，不能终审", "还有 %(count)s 份抽查样本未核查，不能终审",
                                       unchecked) % {"count": unchecked})
    returns = open_returns(round_)
    if returns:
        raise ValidationError(ngettext("还有 %(count)s 份退回区县核实的申请未重新上报，不能终审",
                                       "还有 %(count)s 份退回区县核实的申请未重新上报，不能终审", returns)
                              % {"count": returns})
    valid_from, valid_until = validity(round_, day)
    apps = list(Application.objects.filter(round=round_, state=State.REPORTED).select_related("teacher"))
    prefix = f"{round_.district.code[-3:]}{str(round_.year)[-2:]}"
    certificates = {c.number: c for c in Certificate.objects.filter(number__in=[a.certificate_number for a in apps])}
    apps = application_transition_many(applications=apps, action="finalise", actor=actor, day=day,
                                       note=_final_note)
    # Each teacher's registration of this year (created, or updated if one was entered for this year).
    registrations = {r.teacher_id: r for r in RegistrationRecord.objects.select_for_update().filter(
        teacher_id__in=[a.teacher_id for a in apps], year=round_.year)}
    new_registrations = []
    for app in apps:
        qualified = app.conclusion == "qualified"
        registration = registrations.get(app.teacher_id)
        if registration is None:
            registration = registrations[app.teacher_id] = RegistrationRecord(teacher=app.teacher, year=round_.year)
            new_registrations.append(registration)
        registration.round = round_
        registration.certificate = certificates.get(app.certificate_number)
        registration.kind = (app.evaluation or {}).get("kind") or "first"
        registration.conclusion = app.conclusion
        registration.valid_from = valid_from if qualified else None
        registration.valid_until = valid_until if qualified else None
    RegistrationRecord.objects.bulk_update(
        [r for r in registrations.values() if r.pk is not None],
        ["round", "certificate", "kind", "conclusion", "valid_from", "valid_until"], batch_size=500)
    RegistrationRecord.objects.bulk_create(new_registrations, batch_size=500)
    stickered = set(Sticker.objects.filter(application__in=apps).values_list("application_id", flat=True))
    Sticker.objects.bulk_create([Sticker(application=app, registration=registrations[app.teacher_id],
                                         code=new_code(prefix)) for app in apps if app.pk not in stickered],
                                batch_size=500)
    counts: dict[str, int] = {}
    for app in apps:
        counts[app.conclusion] = counts.get(app.conclusion, 0) + 1
        notify("final", application=app, context={"registration": registrations[app.teacher_id]})
    approval = FinalApproval.objects.create(round=round_, approved_by=actor, valid_from=valid_from,
                                            valid_until=valid_until, counts={"total": len(apps), **counts})
    record("round.final_approve", actor=actor, obj=approval, data=approval.counts)
    return approval


@transaction.atomic
def stickers_mark(*, stickers, actor, field: str) -> int:
    """Record that stickers were printed / affixed, or that the two copies were filed."""
    if field not in ("printed_at", "affixed_at", "personnel_file_at", "district_archive_at"):
        raise ValueError(field)
    now = timezone.now()
    ids = [s.pk for s in stickers]
    updates = {field: now}
    if field == "affixed_at":
        updates["affixed_by"] = actor
    changed = Sticker.objects.filter(pk__in=ids, **{f"{field}__isnull": True}).update(**updates)
    record(f"sticker.{field.removesuffix('_at')}", actor=actor, data={"count": changed})
    return changed
