"""For every page and endpoint that takes an object id: a user of another office gets 404.

The matrix is built from the URL configuration itself, so a new endpoint with an id in its path
fails here until it is listed in OBJECTS (and therefore checked).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from hotich.core.audit import audit_record
from hotich.core.models import Job
from hotich.registers.services import register_assign

OUTSIDERS = ["other_admin", "other_province", "other_operator", "commune_admin", "contractor"]


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.pattern.converters:
            yield f"{prefix}{entry.name}", list(entry.pattern.converters)


@pytest.fixture
def objects(users, tree, register):
    """One object of each kind, all belonging to Phòng Tư pháp A1 (office `phong`)."""
    assignment = register_assign(
        actor=users["unit_admin"], register=register, task="keying", user=users["operator"]
    )
    event = audit_record(actor=users["operator"], action="test", object_type="x")
    from hotich.scans.models import ScanBatch, ScanFile, ScanPage

    batch = ScanBatch.objects.create(register=register, created_by=users["unit_admin"])
    scan_file = ScanFile.objects.create(
        register=register, batch=batch, original_name="a.pdf", uploaded_by=users["unit_admin"]
    )
    page = ScanPage.objects.create(
        register=register,
        source=scan_file,
        source_index=0,
        sequence=1,
        pdf="x.pdf",
        image="x.jpg",
        thumb="x-t.jpg",
    )
    from hotich.records.services import record_create_placeholder

    record = record_create_placeholder(
        actor=users["unit_admin"], register=register, source="manual", number="01"
    )
    job = Job.objects.create(
        kind="test", created_by=users["unit_admin"], office_path=tree["phong"].path
    )
    from hotich.transfer.models import PackageBuild

    package = PackageBuild.objects.create(
        register=register, built_by=users["unit_admin"], status="released"
    )
    from hotich.transfer.models import ImportBatch

    import_batch = ImportBatch.objects.create(
        register=register,
        original_name="KS.xlsx",
        blob="imports/x.xlsx",
        sha256="0" * 64,
        created_by=users["unit_admin"],
        status="ready",
        error_file="imports/x-loi.xlsx",
    )
    from hotich.records.services import record_save
    from hotich.review.services import record_return
    from tests.records.test_record_save import BIRTH

    keyed = record_save(actor=users["operator"], register=register, raw=BIRTH).record
    returned = record_return(actor=users["reviewer"], record=keyed, comments=[("so", "sai")])
    return {
        "register_id": register.pk,
        "assignment_id": assignment.pk,
        "office_id": tree["phong"].pk,
        "user_id": users["operator"].pk,
        "batch_id": batch.pk,
        "page_id": page.pk,
        "event_id": event.pk,
        "job_id": job.pk,
        "record_id": record.pk,
        "package_id": package.pk,
        "kind": "zip",
        "import_id": import_batch.pk,
        "comment_id": returned.comments.get().pk,
        "token_id": _api_token(users),
        **_acceptance_objects(users, register, record),
        **_people_objects(keyed, record),
    }


def _people_objects(keyed, record):
    from hotich.people.models import DuplicatePair, PersonLink

    link = PersonLink.objects.create(
        record_a=record, role_a="registered", record_b=keyed, role_b="registered", score=60
    )
    pair = DuplicatePair.objects.create(record_a=record, record_b=keyed, score=80)
    return {"party_id": keyed.parties.first().pk, "link_id": link.pk, "pair_id": pair.pk}


def _api_token(users):
    from hotich.search.services import api_token_create

    return api_token_create(actor=users["unit_admin"], name="scoping")[0].pk


def _acceptance_objects(users, register, record):
    from hotich.acceptance.models import AcceptanceCheck, AcceptanceRound

    acceptance_round = AcceptanceRound.objects.create(
        register=register,
        percent=5,
        minimum=20,
        threshold=0.5,
        seed=1,
        population=1,
        created_by=users["unit_admin"],
    )
    check = AcceptanceCheck.objects.create(round=acceptance_round, record=record, position=1)
    return {"round_id": acceptance_round.pk, "check_id": check.pk}


def test_every_endpoint_with_an_id_is_in_the_matrix(objects):
    unknown = {name: kw for name, kw in _patterns() if set(kw) - set(objects)}
    assert unknown == {}


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_users_of_other_offices_get_404_for_every_object_endpoint(client, users, objects, outsider):
    from django.urls import reverse

    client.force_login(users[outsider])
    checked = 0
    for name, kwargs in _patterns():
        url = reverse(name, kwargs={k: objects[k] for k in kwargs})
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            # 405: the endpoint does not take this method at all (nothing is read or written).
            assert response.status_code in {404, 405}, (outsider, method, url, response.status_code)
            checked += 1
    assert checked >= 20


def test_the_owners_reach_the_same_endpoints(client, users, objects):
    from django.urls import reverse

    client.force_login(users["unit_admin"])
    for name in [
        "registers:detail",
        "registers:edit",
        "registers:handover",
        "accounts:office_edit",
        "accounts:user_edit",
        "core:job_status",
        "keying:record",
        "keying:new",
        "keying:grid",
        "keying:double_plan",
        "transfer:package_list",
        "transfer:import_start",
        "transfer:import_detail",
        "review:record",
        "acceptance:register",
        "acceptance:round",
        "acceptance:round_pdf",
        "acceptance:round_xlsx",
        "acceptance:check",
        "people:person",
        "people:pair",
        "search:record",
    ]:
        kwargs = {k: objects[k] for _n, kw in _patterns() if _n == name for k in kw}
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 200, name
