"""Writes for rounds: each service checks, changes, and audits in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tqr.accounts.models import Organisation
from tqr.audit.services import record
from tqr.campaigns.models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementContact,
    PhaseWindow,
    RegistrationAdministrator,
    Round,
)
from tqr.core.downloads import safe_filename
from tqr.core.rules_text import rule_text
from tqr.rules.phases import PHASE_LABELS, Phase, Window, order_problems


@dataclass(frozen=True)
class WindowSpec:
    phase: Phase
    start: date
    end: date | None
    place: str = ""
    note: str = ""


def validate_windows(specs: list[WindowSpec]) -> None:
    problems = []
    for s in specs:
        if s.end is not None and s.end < s.start:
            problems.append(_("%(phase)s的截止日期（%(end)s）早于开始日期（%(start)s）")
                            % {"phase": _(PHASE_LABELS[s.phase]), "end": s.end, "start": s.start})
    if not problems:
        problems = [rule_text(t) for t in order_problems([Window(s.phase, s.start, s.end) for s in specs])]
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def round_create(*, district: Organisation, year: int, title: str, windows: list[WindowSpec], actor=None,
                 **settings) -> Round:
    if district.kind != Organisation.Kind.DISTRICT:
        raise ValidationError(_("注册年度只能由区县创建"))
    if Round.objects.filter(district=district, year=year).exists():
        raise ValidationError(_("%(district)s%(year)s年度的注册工作已存在") % {"district": district.name, "year": year})
    validate_windows(windows)
    round_ = Round.objects.create(district=district, year=year, title=title, **settings)
    PhaseWindow.objects.bulk_create(
        PhaseWindow(round=round_, phase=s.phase, start_date=s.start, end_date=s.end, place=s.place, note=s.note)
        for s in windows
    )
    record("round.create", actor=actor, obj=round_, data={"year": year, "district": district.code})
    return round_


@transaction.atomic
def round_set_windows(*, round_: Round, windows: list[WindowSpec], actor=None) -> Round:
    validate_windows(windows)
    before = {w.phase: [str(w.start_date), str(w.end_date or "")] for w in round_.phase_windows.all()}
    round_.phase_windows.all().delete()
    PhaseWindow.objects.bulk_create(
        PhaseWindow(round=round_, phase=s.phase, start_date=s.start, end_date=s.end, place=s.place, note=s.note)
        for s in windows
    )
    after = {s.phase.value: [str(s.start), str(s.end or "")] for s in windows}
    record("round.set_windows", actor=actor, obj=round_, data={"before": before, "after": after})
    return round_


ANNOUNCEMENT_FIELDS = ("document_number", "title", "addressees", "body", "issuing_body", "training_starts_at",
                       "training_place", "group_info", "materials_address")


@transaction.atomic
def announcement_save(*, round_: Round, data: dict, contacts: list[dict], actor=None) -> Announcement:
    """Create or edit the round's notice (通知): its text, training session and contact persons."""
    announcement = Announcement.objects.select_for_update().filter(round=round_).first()
    created = announcement is None
    if created:
        announcement = Announcement(round=round_)
    changed = [f for f in ANNOUNCEMENT_FIELDS if f in data and getattr(announcement, f) != data[f]]
    for field in changed:
        setattr(announcement, field, data[field])
    announcement.save()
    before = [(c.name, c.organisation, c.phone) for c in announcement.contacts.all()]
    after = [(c["name"], c["organisation"], c["phone"]) for c in contacts]
    if before != after:
        announcement.contacts.all().delete()
        AnnouncementContact.objects.bulk_create(AnnouncementContact(announcement=announcement, **c) for c in contacts)
        changed.append("contacts")
    record("announcement.create" if created else "announcement.edit", actor=actor, obj=announcement,
           data={"fields": changed})
    return announcement


@transaction.atomic
def announcement_attach(*, announcement: Announcement, title: str, upload, actor=None) -> AnnouncementAttachment:
    """Add an attachment (附件) under a server-generated name; the original name is kept as metadata only."""
    number = (announcement.attachments.aggregate(m=models.Max("number"))["m"] or 0) + 1
    attachment = AnnouncementAttachment(announcement=announcement, number=number, title=title,
                                        original_name=safe_filename(upload.name))
    suffix = Path(attachment.original_name).suffix.lower()
    attachment.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
    attachment.save()
    record("announcement.attach", actor=actor, obj=attachment, data={"number": number, "bytes": upload.size})
    return attachment


@transaction.atomic
def announcement_publish(*, announcement: Announcement, actor=None) -> Announcement:
    if announcement.published_at is None:
        announcement.published_at = timezone.now()
        announcement.save(update_fields=["published_at"])
        record("announcement.publish", actor=actor, obj=announcement)
    return announcement


@transaction.atomic
def administrator_name(
    *, round_: Round, unit: Organisation, name: str, phone: str, email: str = "", actor=None
) -> RegistrationAdministrator:
    """A unit names (or renames) its one registration administrator for the round."""
    if unit.parent_id != round_.district_id:
        raise ValidationError(_("该单位不属于本注册年度的区县"))
    admin, created = RegistrationAdministrator.objects.select_for_update().get_or_create(
        round=round_, unit=unit,
        defaults={"name": name, "phone": phone, "email": email, "user": actor, "named_by": actor},
    )
    before = None
    if not created:
        before = {"name": admin.name, "phone": admin.phone, "email": admin.email}
        admin.name, admin.phone, admin.email, admin.named_by = name, phone, email, actor
        admin.save()
    record(
        "round.name_administrator", actor=actor, obj=admin,
        data={"unit": unit.code, "before": before, "after": {"name": name, "phone": phone, "email": email}},
    )
    return admin
