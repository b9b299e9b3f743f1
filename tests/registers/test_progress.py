"""'My work' and the register list say where each register stands and what comes next."""

from django.urls import reverse

from hotich.records.services import record_save
from hotich.registers.models import Assignment, Register
from hotich.registers.queries import register_progress_for
from hotich.review.services import record_verify
from tests.factories import RegisterFactory
from tests.records.test_record_save import BIRTH


def _book(tree, users):
    book = RegisterFactory(custodian=tree["phong"], declared_entries=2)
    Assignment.objects.create(
        register=book, user=users["operator"], task="keying", assigned_by=users["unit_admin"]
    )
    return book


def _progress(book):
    return register_progress_for([Register.objects.get(pk=book.pk)])[book.pk]


def test_progress_counts_and_the_next_step_follow_the_work(users, tree):
    book = _book(tree, users)
    p = _progress(book)
    assert (p.keyed, p.verified, p.finished) == (0, 0, False)
    assert p.next_step == "Đang nhập: còn 2 trường hợp."
    one = record_save(actor=users["operator"], register=book, raw=BIRTH).record
    two = record_save(actor=users["operator"], register=book, raw={**BIRTH, "so": "02"}).record
    p = _progress(book)
    assert (p.keyed, p.finished) == (2, False) and "người kiểm tra" in p.next_step
    record_verify(actor=users["reviewer"], record=one)
    record_verify(actor=users["reviewer"], record=two)
    p = _progress(book)
    assert (p.verified, p.finished) == (2, True) and "nghiệm thu" in p.next_step
    Register.objects.filter(pk=book.pk).update(status="accepted")
    assert "bàn giao gói" in _progress(book).next_step


def test_more_keyed_than_declared_is_shown_and_explained(users, tree):
    book = _book(tree, users)
    for n in (1, 2, 3):
        record_save(actor=users["operator"], register=book, raw={**BIRTH, "so": f"0{n}"})
    assert _progress(book).over == 1


def test_my_work_and_the_register_list_show_it(login, users, tree):
    book = _book(tree, users)
    record_save(actor=users["operator"], register=book, raw=BIRTH)
    html = login(users["operator"]).get(reverse("home")).content.decode()
    assert "1 / 2" in html and "Đang nhập: còn 1 trường hợp." in html
    listing = login(users["unit_admin"]).get(reverse("registers:list")).content.decode()
    assert "1 / 2" in listing
