"""The city's documents from the models: the sampling record (抽查记录) and the sticker sheet (注册贴)."""

from __future__ import annotations

from django.utils import timezone

from tqr.city.models import Sample
from tqr.documents.sampling_record import SampledRow, SamplingRecord, build_sampling_record
from tqr.teachers.models import CertificateType

TYPES = dict(CertificateType.choices)


def sampling_record_pdf(sample: Sample) -> bytes:
    round_ = sample.round
    items = sample.items.select_related("application", "application__confirmation_point").order_by("stratum", "id")
    return build_sampling_record(SamplingRecord(
        title=f"{round_.year}年教师资格定期注册复审抽查记录", district=round_.district.name,
        drawn_at=timezone.localtime(sample.drawn_at), drawn_by=str(sample.drawn_by or ""),
        population_size=len(sample.population), population_hash=sample.population_hash, seed=sample.seed,
        seed_hash=sample.seed_hash, rate=sample.rate,
        strata_description="按学校和资格种类分层，每层至少1人" if sample.by_qualification else "按学校分层，每层至少1人",
        include_non_qualified=sample.include_non_qualified, number=str(sample.pk),
        reviewing_body="重庆市教师资格认定指导中心",
        rows=tuple(SampledRow(n, i.application.name, i.application.confirmation_point.name,
                              str(TYPES.get(i.application.cert_type, "")), i.application.get_conclusion_display(),
                              i.get_reason_display(), i.get_result_display(), i.note)
                   for n, i in enumerate(items, start=1)),
    ))


def sticker_sheet_pdf(stickers, request=None) -> bytes:
    from tqr.documents import stickers as builder

    def url(code: str) -> str:
        path = f"/lookup/?code={code}"
        return request.build_absolute_uri(path) if request is not None else path

    return builder.build_sticker_sheet([
        builder.Sticker(name=s.application.name, certificate_number=s.application.certificate_number,
                        conclusion=s.registration.get_conclusion_display(),
                        registration_body=f"{s.application.round.district.name}教育委员会",
                        registered_on=s.registration.valid_from or timezone.localdate(),
                        valid_from=s.registration.valid_from, valid_until=s.registration.valid_until,
                        code=s.code, verify_url=url(s.code))
        for s in stickers
    ])
