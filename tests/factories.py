from __future__ import annotations

import factory

from hotich.accounts.models import Office, User
from hotich.core.text import fold
from hotich.registers.domain import phase_for_year, priority_for
from hotich.registers.models import Register


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    kind = "district"
    parent = None

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.pk}/"
        if create:
            obj.save(update_fields=["path"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    role = "operator"
    must_change_password = False
    password = factory.django.Password("Matkhau2024x")


class RegisterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Register

    register_type = "KS"
    authority_name = "UBND xã Phước Tỉnh, huyện Long Điền, tỉnh Bà Rịa - Vũng Tàu"
    authority_key = factory.LazyAttribute(lambda o: fold(o.authority_name))
    authority_level = "commune"
    year_start = 2010
    volume = factory.Sequence(lambda n: f"{n + 1:02d}")
    declared_entries = 100
    legibility = 1
    phase = factory.LazyAttribute(lambda o: phase_for_year(o.year_start))
    priority = factory.LazyAttribute(
        lambda o: priority_for(legibility=o.legibility, register_type=o.register_type)
    )
