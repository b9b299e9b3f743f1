import datetime as dt
import io

import openpyxl
from django.urls import reverse
from django.utils import timezone

from hotich.registers.models import Register
from tests.factories import RegisterFactory


def test_the_register_list_filters_by_type_status_year_and_text(login, users, tree):
    RegisterFactory(custodian=tree["phong"], register_type="KH", year_start=2001)
    RegisterFactory(
        custodian=tree["phong"],
        register_type="KS",
        year_start=2012,
        authority_name="UBND xã Nghi Thạch",
    )
    client = login(users["operator"])
    codes = lambda r: [x.register_type for x in r.context["page_obj"]]  # noqa: E731
    assert codes(client.get("/so/", {"type": "KH"})) == ["KH"]
    assert codes(client.get("/so/", {"year": "2012"})) == ["KS"]
    assert codes(client.get("/so/", {"q": "nghi thach"})) == ["KS"]
    assert codes(client.get("/so/", {"q": "NGHI THẠCH"})) == ["KS"]
    assert len(codes(client.get("/so/", {"status": "inventoried"}))) == 2


def test_the_register_list_costs_a_fixed_number_of_queries(
    login, users, tree, django_assert_max_num_queries
):
    for _ in range(30):
        RegisterFactory(custodian=tree["phong"])
    client = login(users["unit_admin"])
    with django_assert_max_num_queries(12):
        assert client.get("/so/").status_code == 200


def test_an_administrator_creates_a_register_from_the_form(login, users, tree):
    client = login(users["unit_admin"])
    response = client.post(
        reverse("registers:create"),
        {
            "custodian": tree["xa"].pk,
            "register_type": "KS",
            "authority_name": "UBND xã A",
            "authority_level": "commune",
            "year_start": "2017",
            "year_end": "",
            "volume": "01/2017",
            "legibility": "2",
            "declared_entries": "120",
            "page_count": "",
            "first_number": "01",
            "last_number": "120",
            "condition_note": "",
            "note": "",
        },
    )
    register = Register.objects.get()
    assert response["Location"] == reverse("registers:detail", args=[register.pk])
    assert (register.phase, register.priority, register.code) == (5, 22, "KS.2017.01")


def test_an_edit_made_from_a_stale_page_is_refused_with_a_message(login, users, register):
    client = login(users["unit_admin"])
    url = reverse("registers:edit", args=[register.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update({"authority_unit": "", "page_count": "10", "version": "1"})
    Register.objects.filter(pk=register.pk).update(version=2)
    response = client.post(url, data)
    assert "vừa được người khác sửa" in response.content.decode()


def test_the_register_page_shows_custody_history_and_assignment(login, users, register):
    client = login(users["unit_admin"])
    client.post(
        reverse("registers:assign", args=[register.pk]),
        {"task": "keying", "user": users["operator"].pk},
    )
    body = client.get(reverse("registers:detail", args=[register.pk])).content.decode()
    assert "nhaplieu" in body and "Lịch sử lưu giữ" in body


def test_my_work_lists_what_is_assigned_to_me(login, users, tree):
    mine = RegisterFactory(custodian=tree["phong"], volume="07")
    RegisterFactory(custodian=tree["phong"], volume="08")
    login(users["unit_admin"]).post(
        reverse("registers:assign", args=[mine.pk]),
        {"task": "keying", "user": users["operator"].pk},
    )
    client = login(users["operator"])
    rows = client.get("/").context["rows"]
    assert [r.pk for r, _tasks, _progress in rows] == [mine.pk]


def test_a_contractor_sees_only_registers_assigned_to_its_company(login, users, tree):
    assigned = RegisterFactory(custodian=tree["phong"], volume="21")
    other = RegisterFactory(custodian=tree["phong"], volume="22")
    login(users["unit_admin"]).post(
        reverse("registers:assign", args=[assigned.pk]),
        {"task": "keying", "office": tree["nhathau"].pk},
    )
    client = login(users["contractor"])
    listed = [r.pk for r in client.get("/so/").context["page_obj"]]
    assert listed == [assigned.pk]
    assert client.get(reverse("registers:detail", args=[other.pk])).status_code == 404
    users["contractor"].contract_end = timezone.localdate() - dt.timedelta(days=1)
    users["contractor"].save()
    from hotich.registers.queries import register_list_for_user

    assert not register_list_for_user(users["contractor"]).exists()


def _xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "danh-sach.xlsx"
    return buffer


HEADER = [
    "Loại sổ",
    "Cơ quan đăng ký",
    "Cấp",
    "Năm\ni=[yyyy]",
    " Quyển số ",
    "Số trường hợp",
    "Độ rõ",
]


def test_bulk_import_creates_every_register_of_a_clean_list(login, users, tree):
    client = login(users["unit_admin"])
    upload = _xlsx(
        [
            HEADER,
            ["KS", "UBND xã A, huyện B", "xã", 2010, "01", 98, 1],
            ["Kết hôn", "UBND xã A, huyện B", "Xã", "2010", 2, None, "2"],
        ]
    )
    response = client.post(
        reverse("registers:bulk_import"), {"custodian": tree["phong"].pk, "file": upload}
    )
    assert response.status_code == 302
    result = client.get(response["Location"])
    assert "Đã thêm 2 sổ" in result.content.decode()
    assert sorted(Register.objects.values_list("register_type", "volume")) == [
        ("KH", "2"),
        ("KS", "01"),
    ]


def test_bulk_import_with_errors_names_row_and_column_and_creates_nothing(login, users, tree):
    client = login(users["unit_admin"])
    upload = _xlsx(
        [
            HEADER,
            ["KS", "UBND xã A", "xã", 2010, "01", 98, 1],
            ["XX", "UBND xã A", "xã", "hai nghìn", "02", 10, 1],
            ["KS", "UBND xã A", "xã", 2010, "01", 98, 1],
        ]
    )
    response = client.post(
        reverse("registers:bulk_import"),
        {"custodian": tree["phong"].pk, "file": upload},
        follow=True,
    )
    assert not Register.objects.exists()
    failed: dict[int, list] = {}
    for number, column, why in response.context["job"].result["failed"]:
        failed.setdefault(number, []).append((column, why))
    assert set(failed) == {3, 4}
    assert any(col == "Loại sổ" for col, _ in failed[3])
    assert any(col == "Năm" and "không phải là số" in why for col, why in failed[3])
    assert any("Trùng" in why for _, why in failed[4])
    body = response.content.decode()
    assert "chưa thêm sổ nào" in body and "hai nghìn" in body


def test_bulk_import_refuses_unreadable_files_clearly(login, users, tree):
    client = login(users["unit_admin"])
    cases = [
        (b"", "empty.xlsx", "Không đọc được tệp Excel"),
        (b"PK\x03\x04 broken", "broken.xlsx", "Không đọc được tệp Excel"),
        # "Loại sổ;Cơ quan đăng ký" typed with a TCVN3 (.VnTime) font: not UTF-8.
        (b"Lo\xb9i s\xe7;C\xad quan \xae\xb5ng k\xfd\nKS;UBND", "list.csv", "UTF-8"),
        ("Loại sổ,Cơ quan đăng ký\nKS,UBND".encode(), "list.csv", "Thiếu cột bắt buộc"),
        (b"hello", "list.pdf", ".xlsx"),
    ]
    for content, name, message in cases:
        upload = io.BytesIO(content)
        upload.name = name
        response = client.post(
            reverse("registers:bulk_import"),
            {"custodian": tree["phong"].pk, "file": upload},
            follow=True,
        )
        assert message in response.content.decode(), name
    assert not Register.objects.exists()


def test_the_bulk_template_downloads_with_the_expected_headers(login, users):
    response = login(users["unit_admin"]).get(reverse("registers:bulk_template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["Loại sổ", "Cơ quan đăng ký", "Cấp"]


def test_an_english_interface_imports_its_own_template_and_reads_errors_in_english(
    login, users, tree
):
    client = login(users["unit_admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/so/"})
    template = client.get(reverse("registers:bulk_template")).content
    sheet = openpyxl.load_workbook(io.BytesIO(template)).active
    header = [c.value for c in sheet[1]]
    assert header[0] != "Loại sổ"  # the English headers
    upload = _xlsx([header, [c.value for c in sheet[2]], ["KS", "UBND xã B", "xã", "abc", "01"]])
    response = client.post(
        reverse("registers:bulk_import"),
        {"custodian": tree["phong"].pk, "file": upload},
        follow=True,
    )
    body = response.content.decode()
    assert "no register was added" in body
    assert "is not a number" in body
    assert not Register.objects.exists()
