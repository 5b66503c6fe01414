"""The city's part: a verifiable sample, its check, returns answered by the district, the final review."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tests.city.helpers import reported
from tests.reviews.helpers import move_to
from tqr.applications.models import Application
from tqr.audit.models import AuditEvent
from tqr.city import services
from tqr.city.models import FinalApproval, Sample, SampleItem, Sticker
from tqr.rules.phases import Phase
from tqr.teachers.models import RegistrationRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(world):
    return reported(world, deferred=[world.teacher_a2])


def test_the_sample_is_drawn_once_with_every_stratum_and_every_deferral(world, batch):
    sample = services.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    strata = set(sample.items.values_list("stratum", flat=True))
    assert strata == {world.school_a.code, world.school_b.code}  # at least one per school
    assert sample.items.filter(application__conclusion="deferred").count() == 1  # 暂缓 always checked
    assert len(sample.seed_hash) == 64 and len(sample.population_hash) == 64
    with pytest.raises(ValidationError, match="不能重复抽取"):
        services.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    assert AuditEvent.objects.filter(action="sample.draw").count() == 1


def test_verify_sample_recomputes_and_notices_a_change(world, batch, capsys):
    sample = services.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    call_command("verify_sample", str(sample.pk))
    assert "核验通过" in capsys.readouterr().out
    # Tampering with the recorded list is caught.
    Sample.objects.filter(pk=sample.pk).update(chosen=[*sample.chosen, 999999])
    with pytest.raises(CommandError):
        call_command("verify_sample", str(sample.pk))
    Sample.objects.filter(pk=sample.pk).update(chosen=sample.chosen, population=sample.population[:-1])
    with pytest.raises(CommandError):
        call_command("verify_sample", str(sample.pk))
    assert "总体" in capsys.readouterr().out


def test_a_discrepancy_returns_the_application_to_the_district_which_answers(world, batch, client_for):
    sample = services.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    item = sample.items.first()
    city = client_for("city_reviewer")
    city.post(f"/city/items/{item.pk}/check/", {"result": "discrepancy", "note": ""})
    item.refresh_from_db()
    assert item.result == ""  # a discrepancy needs its note
    city.post(f"/city/items/{item.pk}/check/", {"result": "discrepancy", "note": "聘用合同复印件未盖章"})
    app = Application.objects.get(pk=item.application_id)
    assert app.state == "city_returned"
    district = client_for("reviewer_d1")
    assert "聘用合同复印件未盖章" in district.get(f"/reviews/{world.round_a.pk}/returns/").content.decode()
    with pytest.raises(ValidationError, match="1 份退回"):
        for other in sample.items.exclude(pk=item.pk):
            services.item_check(item=other, result="conforms", note="", actor=world.city_reviewer)
        move_to(world, Phase.FINAL_REVIEW)
        services.final_approve(round_=world.round_a, actor=world.city_approver)
    district.post(f"/reviews/applications/{app.pk}/answer/", {"conclusion": app.conclusion, "reason": "已补盖公章"})
    app.refresh_from_db()
    assert app.state == "reported"


def test_final_review_gives_validity_history_stickers_and_mail(world, batch, client_for,
                                                                django_capture_on_commit_callbacks):
    from django.core import mail

    sample = services.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    move_to(world, Phase.FINAL_REVIEW)
    assert client_for("city_approver").post(f"/city/{world.round_a.pk}/final/").status_code == 302
    assert not FinalApproval.objects.exists()  # the sample is not checked yet
    for item in sample.items.all():
        services.item_check(item=item, result="conforms", note="", actor=world.city_reviewer)
    assert client_for("city_reviewer").post(f"/city/{world.round_a.pk}/final/").status_code == 403  # approvers only
    with django_capture_on_commit_callbacks(execute=True):
        client_for("city_approver").post(f"/city/{world.round_a.pk}/final/")
    approval = FinalApproval.objects.get()
    assert set(Application.objects.values_list("state", flat=True)) == {"final"}
    zhang = RegistrationRecord.objects.get(teacher=world.teacher_a1, year=world.round_a.year)
    assert zhang.conclusion == "qualified" and zhang.valid_from == approval.valid_from
    assert (zhang.valid_until - zhang.valid_from).days in (1825, 1826)  # five years, the last day included
    li = RegistrationRecord.objects.get(teacher=world.teacher_a2, year=world.round_a.year)
    assert li.conclusion == "deferred" and li.valid_until is None
    assert Sticker.objects.count() == 3 and len({s.code for s in Sticker.objects.all()}) == 3
    subjects = [m.subject for m in mail.outbox if "注册结论" in m.subject]
    assert len(subjects) == 3 and any("暂缓注册" in s for s in subjects)


def test_a_wider_sample_when_the_discrepancy_rate_reaches_the_threshold(world, batch):
    sample = services.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    first = sample.items.filter(stratum=world.school_a.code).first()
    services.item_check(item=first, result="discrepancy", note="学时证明与原件不符", actor=world.city_reviewer)
    before = sample.items.count()
    added = services.sample_widen(sample=sample, stratum=world.school_a.code, actor=world.city_reviewer)
    assert sample.items.count() == before + added
    assert set(SampleItem.objects.filter(stratum=world.school_a.code).values_list("application_id", flat=True)) == \
        set(Application.objects.filter(confirmation_point=world.school_a).values_list("pk", flat=True))
    assert services.sample_verify(Sample.objects.get()).ok  # a widened stratum does not break the verification


def test_outsiders_and_wrong_roles(world, batch, client_for):
    assert client_for("reviewer_d2").get(f"/city/{world.round_a.pk}/sample/").status_code == 404
    assert client_for("admin_a").get(f"/city/{world.round_a.pk}/sample/").status_code == 403
    assert client_for("reviewer_d1").post(f"/city/{world.round_a.pk}/sample/").status_code == 403
    assert client_for("t_a1").get("/city/").status_code == 403
    assert not Sample.objects.exists()


def test_the_sampling_record_pdf_states_the_hashes_and_the_seed(world, batch, client_for):
    import re

    sample = services.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    response = client_for("city_reviewer").get(f"/city/{world.round_a.pk}/sample/record.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", response.content)) >= 1
    assert sample.seed  # the PDF prints it in full (checked in tests/documents)


def approved(world, batch):
    sample = services.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    for item in sample.items.all():
        services.item_check(item=item, result="conforms", note="", actor=world.city_reviewer)
    move_to(world, Phase.FINAL_REVIEW)
    return services.final_approve(round_=world.round_a, actor=world.city_approver)


def test_the_district_prints_stickers_and_records_affixing_and_filing(world, batch, client_for):
    approved(world, batch)
    district = client_for("reviewer_d1")
    pdf = district.get(f"/reviews/{world.round_a.pk}/stickers/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert Sticker.objects.filter(printed_at__isnull=False).count() == 3
    ids = list(Sticker.objects.values_list("pk", flat=True))
    district.post(f"/reviews/{world.round_a.pk}/stickers/", {"sticker": ids[:2], "field": "affixed_at"})
    assert Sticker.objects.filter(affixed_by=world.reviewer_d1).count() == 2
    assert client_for("city_reviewer").post(f"/reviews/{world.round_a.pk}/stickers/",
                                            {"sticker": ids, "field": "affixed_at"}).status_code == 403


def test_the_archive_zip_has_a_package_per_teacher_with_hashes(world, batch, client_for):
    import hashlib
    import io
    import json
    import zipfile

    from tqr.core.models import Job

    approved(world, batch)
    district = client_for("reviewer_d1")
    response = district.post(f"/reviews/{world.round_a.pk}/archive/", {"unit": str(world.school_a.pk)})
    job = Job.objects.get(kind="archive")
    assert response["Location"] == f"/jobs/{job.pk}/" and job.status == "done" and job.total == 2
    body = b"".join(district.get(f"/jobs/{job.pk}/download/").streaming_content)
    zf = zipfile.ZipFile(io.BytesIO(body))
    folders = {n.split("/")[1] for n in zf.namelist() if n.count("/") == 2}
    assert len(folders) == 2  # the two teachers of school A
    manifests = [n for n in zf.namelist() if n.endswith("manifest.json")]
    for m in manifests:
        entries = json.loads(zf.read(m))
        assert set(entries) == {"申请表.pdf", "考核鉴定表.pdf", "公示情况.txt", "复审情况.txt", "办理记录.txt"}
        folder = m.rsplit("/", 1)[0]
        for name, meta in entries.items():
            assert hashlib.sha256(zf.read(f"{folder}/{name}")).hexdigest() == meta["sha256"]
    assert b"SHA256SUMS" in b"".join(n.encode() for n in zf.namelist())


def test_the_end_of_the_round_through_the_api(world, batch, client_for):
    api_city = client_for("city_reviewer")
    drawn = api_city.post(f"/api/v1/city/rounds/{world.round_a.pk}/sample", {}, content_type="application/json")
    assert drawn.status_code == 201 and len(drawn.json()["seed_hash"]) == 64
    assert api_city.get(f"/api/v1/city/rounds/{world.round_a.pk}/sample/verify").json()["ok"] is True
    assert api_city.get(f"/api/v1/city/rounds/{world.round_a.pk}/sample/record.pdf").content.startswith(b"%PDF")
    for item in api_city.get(f"/api/v1/city/rounds/{world.round_a.pk}/sample/items").json():
        assert api_city.post(f"/api/v1/city/items/{item['id']}/check", {"result": "conforms"},
                             content_type="application/json").status_code == 200
    move_to(world, Phase.FINAL_REVIEW)
    final = client_for("city_approver").post(f"/api/v1/city/rounds/{world.round_a.pk}/final", {},
                                             content_type="application/json")
    assert final.status_code == 201 and final.json()["counts"]["total"] == 3
    district = client_for("reviewer_d1")
    assert district.get(f"/api/v1/reviews/rounds/{world.round_a.pk}/stickers.pdf").content.startswith(b"%PDF")
    job = district.post(f"/api/v1/reviews/rounds/{world.round_a.pk}/archive", {}, content_type="application/json")
    assert job.status_code == 202 and job.json()["status"] == "done"
