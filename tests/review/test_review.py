"""Review: every move of the state machine, the moves that may not happen, the pages around them.

Services are tested for the rules (who may decide, from which status, with what), pages for what
a reviewer and an operator see: the queue, the review screen, "my work", the keying screen.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from hotich.core.models import AuditEvent
from hotich.records.models import Record
from hotich.records.services import record_save
from hotich.registers.models import Assignment, Register
from hotich.review.domain import SAVE_TRANSITIONS, TRANSITIONS
from hotich.review.models import ReviewComment, ReviewDecision
from hotich.review.queries import review_can_review, review_queue
from hotich.review.services import (
    ReviewError,
    ReviewStale,
    comment_resolve,
    record_return,
    record_verify,
)
from hotich.scans.models import PageLink, ScanBatch, ScanFile, ScanPage
from tests.factories import RegisterFactory, UserFactory
from tests.records.test_record_save import BIRTH

S = Record.Status


def key(register, actor, number: int = 1, **changes: str) -> Record:
    raw = {**BIRTH, "so": f"{number:02d}", **changes}
    return record_save(actor=actor, register=register, raw=raw).record


def fix(record: Record, actor, **changes: str) -> Record:
    record.refresh_from_db()
    raw = {**record.data, **changes}
    return record_save(
        actor=actor, register=record.register, record=record, raw=raw, ack=record.ack
    ).record


def assign(register, user, task: str, by) -> Assignment:
    return Assignment.objects.create(register=register, user=user, task=task, assigned_by=by)


@pytest.fixture
def operator(users):
    return users["operator"]


@pytest.fixture
def reviewer(users):
    return users["reviewer"]


@pytest.fixture
def keyed(register, operator) -> Record:
    record = key(register, operator)
    assert record.status == S.SUBMITTED
    return record


@pytest.fixture
def company(users, tree, register):
    """A contractor company assigned both to key and to review the register, with one account
    for each task."""
    today = timezone.localdate()
    period = {
        "contract_start": today - dt.timedelta(days=1),
        "contract_end": today + dt.timedelta(days=30),
    }
    keyer = UserFactory(username="nt_nhap", office=tree["nhathau"], role="operator", **period)
    checker = UserFactory(username="nt_kiem", office=tree["nhathau"], role="reviewer", **period)
    for task in (Assignment.Task.KEYING, Assignment.Task.REVIEW):
        Assignment.objects.create(
            register=register, office=tree["nhathau"], task=task, assigned_by=users["unit_admin"]
        )
    return {"keyer": keyer, "checker": checker}


# ---- the state machine


def test_the_tables_are_the_ones_decision_0010_describes():
    assert {
        S.SUBMITTED: {S.VERIFIED, S.RETURNED},
        S.VERIFIED: {S.RETURNED},
    } == TRANSITIONS
    assert {
        S.RETURNED: {S.RETURNED, S.SUBMITTED},
        S.VERIFIED: {S.VERIFIED, S.SUBMITTED, S.DRAFT},
    } == SAVE_TRANSITIONS


def test_a_reviewer_verifies_a_submitted_record_and_the_decision_is_audited(keyed, reviewer):
    decision = record_verify(actor=reviewer, record=keyed, version=keyed.version)
    keyed.refresh_from_db()
    assert keyed.status == S.VERIFIED
    assert (decision.outcome, decision.reviewer, decision.version) == ("verified", reviewer, 1)
    assert keyed.version == 2  # a keying form opened before the decision is refused on save
    assert keyed.updated_by != reviewer  # who saved the data last is unchanged
    event = AuditEvent.objects.get(action="review.verify")
    assert (event.actor, event.object_id) == (reviewer, str(keyed.pk))
    assert event.before == {"status": "submitted", "version": 1}
    assert event.after["status"] == "verified"
    assert event.after["decision"] == decision.pk


def test_a_return_carries_field_comments_and_is_audited(keyed, reviewer):
    decision = record_return(
        actor=reviewer,
        record=keyed,
        comments=[
            ("nksHoTen", " Tên có dấu huyền: HOÀ "),
            ("", "Thiếu ghi chú bên lề"),
            ("so", " "),
        ],
    )
    keyed.refresh_from_db()
    assert keyed.status == S.RETURNED
    comments = list(decision.comments.order_by("id").values_list("field", "text", "by"))
    assert comments == [
        ("nksHoTen", "Tên có dấu huyền: HOÀ", reviewer.pk),
        ("", "Thiếu ghi chú bên lề", reviewer.pk),
    ]
    event = AuditEvent.objects.get(action="review.return")
    assert event.before == {"status": "submitted", "version": 1}
    assert event.after["comments"] == [
        {"field": "nksHoTen", "text": "Tên có dấu huyền: HOÀ"},
        {"field": "", "text": "Thiếu ghi chú bên lề"},
    ]


@pytest.mark.parametrize("comments", [[], [("nksHoTen", "   ")], [("", "")]])
def test_a_return_without_a_comment_is_refused_and_writes_nothing(keyed, reviewer, comments):
    with pytest.raises(ReviewError, match="ít nhất một ý kiến"):
        record_return(actor=reviewer, record=keyed, comments=comments)
    keyed.refresh_from_db()
    assert (keyed.status, keyed.version) == (S.SUBMITTED, 1)
    assert not ReviewDecision.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="review.").exists()


def test_a_comment_on_a_field_the_register_type_does_not_have_is_refused(keyed, reviewer):
    with pytest.raises(ReviewError, match="chongHoTen"):
        record_return(actor=reviewer, record=keyed, comments=[("chongHoTen", "sai")])
    assert not ReviewComment.objects.exists()


def test_a_draft_and_a_record_not_yet_keyed_cannot_be_reviewed(register, operator, reviewer):
    draft = key(register, operator, nksNgaySinh="32.01.2010")
    assert draft.status == S.DRAFT
    placeholder = Record.objects.create(register=register, number="05", sequence=9)
    for record in (draft, placeholder):
        with pytest.raises(ReviewError, match="Không thể chuyển"):
            record_verify(actor=reviewer, record=record)
        with pytest.raises(ReviewError, match="Không thể chuyển"):
            record_return(actor=reviewer, record=record, comments=[("so", "sai")])
    assert not ReviewDecision.objects.exists()


def test_a_returned_record_is_neither_verified_nor_returned_again_until_it_is_fixed(
    keyed, reviewer
):
    record_return(actor=reviewer, record=keyed, comments=[("nksHoTen", "sai")])
    with pytest.raises(ReviewError):
        record_verify(actor=reviewer, record=keyed)
    with pytest.raises(ReviewError):
        record_return(actor=reviewer, record=keyed, comments=[("so", "sai nữa")])
    assert ReviewDecision.objects.count() == 1


def test_a_verified_record_may_be_reopened_with_a_reason_but_not_verified_twice(keyed, reviewer):
    record_verify(actor=reviewer, record=keyed)
    with pytest.raises(ReviewError):
        record_verify(actor=reviewer, record=keyed)
    with pytest.raises(ReviewError, match="ít nhất một ý kiến"):
        record_return(actor=reviewer, record=keyed, comments=[])
    reopened = record_return(actor=reviewer, record=keyed, comments=[("", "Đối chiếu lại số")])
    keyed.refresh_from_db()
    assert keyed.status == S.RETURNED
    assert reopened.status_before == S.VERIFIED


def test_a_decision_on_an_older_version_is_refused(keyed, reviewer, operator):
    opened = keyed.version
    fix(keyed, operator, nksNoiSinh="Trạm y tế xã")  # saved again while the reviewer looked
    with pytest.raises(ReviewStale):
        record_verify(actor=reviewer, record=keyed, version=opened)
    keyed.refresh_from_db()
    assert keyed.status == S.SUBMITTED


# ---- the operator's side: the keying save


def test_a_fixed_record_goes_back_to_review_and_verifying_it_resolves_the_comments(
    keyed, reviewer, operator
):
    record_return(actor=reviewer, record=keyed, comments=[("nksHoTen", "Tên có dấu huyền")])
    assert keyed not in review_queue(reviewer)
    fixed = fix(keyed, operator, nksHoTen="NGUYỄN THỊ HOÀ")
    assert fixed.status == S.SUBMITTED
    assert fixed.keyed_by == operator  # still the operator's work
    assert list(review_queue(reviewer)) == [fixed]
    assert ReviewComment.objects.filter(resolved_at__isnull=True).count() == 1  # until checked
    record_verify(actor=reviewer, record=fixed)
    comment = ReviewComment.objects.get()
    assert (comment.resolved_by, comment.is_open) == (reviewer, False)
    assert AuditEvent.objects.get(action="review.verify").after["comments_resolved"] == [comment.pk]
    actions = list(
        AuditEvent.objects.filter(object_type="records.record", object_id=str(keyed.pk))
        .order_by("id")
        .values_list("action", "after__status")
    )
    assert actions == [
        ("record.create", "submitted"),
        ("review.return", "returned"),
        ("record.update", "submitted"),
        ("review.verify", "verified"),
    ]


def test_a_returned_record_saved_with_errors_stays_with_the_operator(keyed, reviewer, operator):
    record_return(actor=reviewer, record=keyed, comments=[("nksNgaySinh", "Ngày sinh sai")])
    saved = fix(keyed, operator, nksNgaySinh="31.02.2010")
    assert saved.status == S.RETURNED
    assert saved.status in SAVE_TRANSITIONS[S.RETURNED]
    assert keyed not in review_queue(reviewer)


def test_editing_a_verified_record_sends_it_back_to_review_and_an_unchanged_save_does_not(
    keyed, reviewer, operator
):
    record_verify(actor=reviewer, record=keyed)
    unchanged = fix(keyed, operator)
    assert unchanged.status == S.VERIFIED
    changed = fix(keyed, operator, nksNoiSinh="Trạm y tế xã Phước Tỉnh")
    assert changed.status == S.SUBMITTED
    assert changed in review_queue(reviewer)
    record_verify(actor=reviewer, record=changed)
    broken = fix(keyed, operator, nksNgaySinh="31.02.2010")
    assert broken.status == S.DRAFT
    assert {unchanged.status, changed.status, broken.status} <= SAVE_TRANSITIONS[S.VERIFIED]


# ---- who may review


def test_nobody_reviews_a_record_they_keyed_or_saved_last(register, users, operator):
    admin = users["unit_admin"]
    own = key(register, admin)
    with pytest.raises(PermissionDenied):
        record_verify(actor=admin, record=own)
    other = key(register, operator, 2)
    fix(other, admin, nksNoiSinh="Trạm y tế")  # the administrator corrected it
    with pytest.raises(PermissionDenied):
        record_return(actor=admin, record=other, comments=[("so", "sai")])
    # The operator who keyed it, even with a review assignment.
    assign(register, operator, Assignment.Task.REVIEW, admin)
    assert not review_can_review(operator, other)
    with pytest.raises(PermissionDenied):
        record_verify(actor=operator, record=other)
    assert list(review_queue(admin)) == []
    assert not ReviewDecision.objects.exists()


def test_a_contractor_reviewer_may_not_review_its_own_company_s_work(
    register, company, users, operator
):
    theirs = key(register, company["keyer"], 1)
    ours = key(register, operator, 2)
    checker = company["checker"]
    assert list(review_queue(checker)) == [ours]
    with pytest.raises(PermissionDenied):
        record_verify(actor=checker, record=theirs)
    record_verify(actor=checker, record=ours)
    # The office reviews the company's work.
    record_verify(actor=users["reviewer"], record=theirs)
    assert Record.objects.filter(status=S.VERIFIED).count() == 2


def test_an_operator_may_not_verify_unless_assigned_to_review(register, users, keyed):
    colleague = UserFactory(username="nhaplieu2", office=register.custodian, role="operator")
    with pytest.raises(PermissionDenied):
        record_verify(actor=colleague, record=keyed)
    assign(register, colleague, Assignment.Task.REVIEW, users["unit_admin"])
    record_verify(actor=colleague, record=keyed)


def test_a_reviewer_of_another_office_may_not_review(tree, keyed):
    outsider = UserFactory(username="kiemtra2", office=tree["phong2"], role="reviewer")
    assert not review_can_review(outsider, keyed)
    with pytest.raises(PermissionDenied):
        record_verify(actor=outsider, record=keyed)
    assert list(review_queue(outsider)) == []


def test_a_reviewer_resolves_a_comment_an_operator_may_not(keyed, reviewer, operator):
    record_return(actor=reviewer, record=keyed, comments=[("so", "sai"), ("nksHoTen", "sai")])
    first, second = ReviewComment.objects.order_by("id")
    with pytest.raises(PermissionDenied):
        comment_resolve(actor=operator, comment=first)  # the operator keyed the record
    comment_resolve(actor=reviewer, comment=first)
    with pytest.raises(ReviewError, match="đã được xử lý"):
        comment_resolve(actor=reviewer, comment=first)
    assert [c.is_open for c in ReviewComment.objects.order_by("id")] == [False, True]
    event = AuditEvent.objects.get(action="review.comment_resolve")
    assert event.after == {"comment": first.pk, "field": "so", "text": "sai"}
    assert second.is_open


# ---- pages


def review_url(record: Record) -> str:
    return reverse("review:record", args=[record.pk])


def test_the_queue_lists_what_waits_for_the_reviewer_oldest_first(
    login, register, users, operator, reviewer, django_assert_max_num_queries
):
    other = RegisterFactory(custodian=register.custodian, authority_name="UBND xã An Ngãi")
    first = key(register, operator, 1)
    second = key(other, operator, 1)
    key(register, operator, 2, nksNgaySinh="32.01.2010")  # a draft
    key(register, users["reviewer"], 3)  # the reviewer's own work
    Record.objects.filter(pk=second.pk).update(updated_at=first.updated_at + dt.timedelta(1))
    client = login(reviewer)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("review:queue")).content.decode()
    assert html.index(review_url(first)) < html.index(review_url(second))
    assert html.count("/kiem-tra/truong-hop/") == 3  # the two records and the start button
    filtered = client.get(reverse("review:queue"), {"so": other.pk}).content.decode()
    assert review_url(second) in filtered and review_url(first) not in filtered


def _page(register: Register, record: Record, by) -> ScanPage:
    batch = ScanBatch.objects.create(register=register, created_by=by)
    source = ScanFile.objects.create(
        register=register, batch=batch, original_name="a.pdf", uploaded_by=by
    )
    page = ScanPage.objects.create(
        register=register, source=source, source_index=0, sequence=1, pdf="p.pdf",
        image="p.jpg", thumb="p-t.jpg", width=600, height=850,
    )  # fmt: skip
    PageLink.objects.create(record=record, page=page)
    return page


def test_the_review_screen_shows_the_scan_beside_the_fields_in_declared_order(
    login, keyed, reviewer, users
):
    page = _page(keyed.register, keyed, users["unit_admin"])
    response = login(reviewer).get(review_url(keyed))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="review-viewer"' in html
    assert reverse("scans:page_image", args=[page.pk]) in html
    order = [html.index(f'data-rf="{k}"') for k in ("so", "ngayDangKy", "nksHoTen", "meHoTen")]
    assert order == sorted(order)
    assert ">2 — Nữ<" in html  # a code is shown with its label
    assert 'name="comment:nksHoTen"' in html and 'name="comment:"' in html
    assert 'value="verify"' in html and 'value="return"' in html
    assert 'name="nksHoTen"' not in html  # read-only: nothing to key here


def test_returning_through_the_page_then_on_to_the_next_record_in_the_queue(
    login, register, operator, reviewer
):
    first, second = key(register, operator, 1), key(register, operator, 2)
    client = login(reviewer)
    response = client.post(
        review_url(first),
        {
            "action": "return",
            "version": first.version,
            "so": register.pk,
            "comment:nksHoTen": "Tên có dấu huyền",
            "comment:": "",
        },
    )
    assert response.status_code == 302
    assert response.url == f"{review_url(second)}?so={register.pk}"
    first.refresh_from_db()
    assert first.status == S.RETURNED
    assert list(first.review_comments.values_list("field", "text")) == [
        ("nksHoTen", "Tên có dấu huyền")
    ]
    # The history on the screen shows the decision and its comment, still open.
    html = client.get(review_url(first)).content.decode()
    assert "Lịch sử kiểm tra" in html and "Tên có dấu huyền" in html and "Chưa xử lý" in html
    assert 'value="verify"' not in html  # back with the operator


def test_verifying_with_a_comment_typed_is_refused_and_keeps_the_comment(login, keyed, reviewer):
    response = login(reviewer).post(
        review_url(keyed), {"action": "verify", "comment:so": "Số sai", "version": 1}
    )
    assert response.status_code == 400
    assert 'value="Số sai"' in response.content.decode()
    keyed.refresh_from_db()
    assert keyed.status == S.SUBMITTED


def test_a_return_without_a_comment_through_the_page_is_refused(login, keyed, reviewer):
    response = login(reviewer).post(review_url(keyed), {"action": "return", "version": 1})
    assert response.status_code == 400
    assert "ít nhất một ý kiến" in response.content.decode()


def test_a_decision_on_a_version_saved_since_gets_409(login, keyed, reviewer, operator):
    fix(keyed, operator, nksNoiSinh="Trạm y tế")
    response = login(reviewer).post(review_url(keyed), {"action": "verify", "version": 1})
    assert response.status_code == 409
    keyed.refresh_from_db()
    assert keyed.status == S.SUBMITTED


def test_verifying_the_last_record_returns_to_the_empty_queue(login, keyed, reviewer):
    response = login(reviewer).post(review_url(keyed), {"action": "verify", "version": 1})
    assert response.status_code == 302 and response.url == reverse("review:queue")


def test_an_operator_gets_403_and_one_s_own_work_is_shown_without_actions(
    login, register, users, keyed
):
    assert login(users["operator"]).get(review_url(keyed)).status_code == 403
    admin_keyed = key(register, users["unit_admin"], 2)
    client = login(users["unit_admin"])
    response = client.get(review_url(admin_keyed))
    assert response.status_code == 200
    html = response.content.decode()
    assert "người khác phải kiểm tra" in html
    assert 'value="verify"' not in html
    refused = client.post(review_url(admin_keyed), {"action": "verify"})
    assert refused.status_code == 403


def test_other_offices_get_404_for_the_screen_and_the_comments(client, users, keyed, reviewer):
    record_return(actor=reviewer, record=keyed, comments=[("so", "sai")])
    comment = ReviewComment.objects.get()
    for name in ("other_admin", "other_province", "contractor"):
        client.force_login(users[name])
        assert client.get(review_url(keyed)).status_code == 404
        assert client.post(review_url(keyed), {"action": "verify"}).status_code == 404
        resolve = reverse("review:comment_resolve", args=[comment.pk])
        assert client.post(resolve).status_code == 404
    assert comment.is_open


def test_the_operator_sees_the_returned_record_in_my_work_and_the_comment_beside_its_field(
    login, register, users, keyed, reviewer, operator
):
    assign(register, operator, Assignment.Task.KEYING, users["unit_admin"])
    record_return(
        actor=reviewer,
        record=keyed,
        comments=[("nksHoTen", "Tên có dấu huyền: HOÀ"), ("", "Xem lại cả trang")],
    )
    client = login(operator)
    home = client.get(reverse("home")).content.decode()
    assert "Trường hợp bị trả lại để sửa" in home
    assert reverse("keying:record", args=[keyed.pk]) in home
    assert "Tên có dấu huyền: HOÀ" in home
    screen = client.get(reverse("keying:record", args=[keyed.pk])).content.decode()
    assert "Người kiểm tra trả lại trường hợp này để sửa" in screen
    field = screen[screen.index('data-kf="nksHoTen"') :]
    field = field[: field.index("</div>")]
    assert "Tên có dấu huyền: HOÀ" in field
    assert "Xem lại cả trang" in screen
    # Fixed and saved: no longer in "my work"; the reviewer's "my work" counts it.
    fix(keyed, operator, nksHoTen="NGUYỄN THỊ HOÀ")
    assert "Trường hợp bị trả lại để sửa" not in client.get(reverse("home")).content.decode()
    waiting = login(reviewer).get(reverse("home")).content.decode()
    assert "1 trường hợp chờ bạn kiểm tra" in waiting


def test_a_reviewer_resolves_a_comment_from_the_history(login, keyed, reviewer):
    record_return(actor=reviewer, record=keyed, comments=[("so", "sai")])
    comment = ReviewComment.objects.get()
    response = login(reviewer).post(reverse("review:comment_resolve", args=[comment.pk]))
    assert response.status_code == 302
    assert response.url == review_url(keyed) + "#lich-su"
    comment.refresh_from_db()
    assert comment.resolved_by == reviewer


def test_the_review_screen_does_not_grow_with_its_history(
    login, keyed, reviewer, operator, django_assert_max_num_queries
):
    for n in range(4):
        record_return(actor=reviewer, record=keyed, comments=[("so", "sai"), ("", f"lần {n}")])
        fix(keyed, operator, nksNoiSinh=f"Trạm y tế {n}")
    comment_resolve(actor=reviewer, comment=ReviewComment.objects.first())
    client = login(reviewer)
    # 17: the record's checks include the number in its scan's file name (one query).
    with django_assert_max_num_queries(17):
        html = client.get(review_url(keyed)).content.decode()
    assert html.count('class="review-decision"') == 4
