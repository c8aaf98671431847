"""factory_boy factories for each app's main models: the one way tests build rows.

Each factory makes a valid row with nothing but its defaults (unique names, mobiles and
e-mail addresses come from sequences); pass what the test is about. Rows whose life runs
through the rules (a ledger entry, a voucher, a claimed wish) are made by calling the app's
actions, not here: a factory would skip the rule the test should go through.

Mobiles of factory users start 177, a prefix no named persona in the tests uses.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from members.demo import demo_credit_code
from members.models import Branch, Enterprise, Member, User
from points.models import ExchangePoint, Item
from rota.models import DutyWeek, Organisation
from services.models import Activity, Category, Service, ServiceRecord, ServiceRequest
from tests.conftest import PASSWORD
from wishes.models import Claim, Wish


# --- members ---------------------------------------------------------------------------------
class UserFactory(factory.django.DjangoModelFactory):
    """A login with a verified primary e-mail address (allauth), as signing up leaves it."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    phone = factory.Sequence(lambda n: f"177{n:08d}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from allauth.account.models import EmailAddress

        user = model_class.objects.create_user(*args, **kwargs)
        if user.email:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"德清测试{n}地理信息有限公司")
    credit_code = factory.Sequence(lambda n: demo_credit_code(9000 + n))
    industry = Enterprise.Industry.GEOINFORMATION


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    name = factory.Sequence(lambda n: f"测试第{n}党支部")
    kind = Branch.Kind.CENTRE


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"王{'小明大伟丽娜'[n % 6]}{n}")
    gender = Member.Gender.MALE
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    branch = factory.SubFactory(BranchFactory)


# --- rota ------------------------------------------------------------------------------------
class OrganisationFactory(factory.django.DjangoModelFactory):
    """An alliance organisation; `OrganisationFactory(contacts=True)` gives it both contacts."""

    class Meta:
        model = Organisation

    class Params:
        contacts = factory.Trait(
            duty_contact=factory.SubFactory(UserFactory),
            backup_contact=factory.SubFactory(UserFactory),
        )

    name = factory.Sequence(lambda n: f"测试社会组织{n}")
    kind = Organisation.Kind.SOCIAL_ORGANISATION


class DutyWeekFactory(factory.django.DjangoModelFactory):
    """A planned duty week; `week_start` must be a Monday (one week per Monday)."""

    class Meta:
        model = DutyWeek

    week_start = factory.Sequence(lambda n: dt.date(2030, 1, 7) + dt.timedelta(weeks=n))
    organisation = factory.SubFactory(OrganisationFactory)
    planned_organisation = factory.SelfAttribute("organisation")


# --- points ----------------------------------------------------------------------------------
class ExchangePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangePoint
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"兑换点{n}")

    @factory.post_generation
    def operators(self, create, extracted, **kwargs):
        if create and extracted:
            self.operators.add(*extracted)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    name = factory.Sequence(lambda n: f"咖啡{n}")
    kind = Item.Kind.COFFEE
    price = 10


# --- services --------------------------------------------------------------------------------
def _seeded_categories() -> list[tuple[str, str]]:
    from importlib import import_module

    return import_module("services.migrations.0003_seed_six_categories").CATEGORIES


class CategoryFactory(factory.django.DjangoModelFactory):
    """One of the six categories the data migration seeds (made again, as the migration would
    make it, if a flush removed it)."""

    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "volunteer"
    name = factory.LazyAttribute(lambda o: dict(_seeded_categories())[o.code])
    position = factory.LazyAttribute(
        lambda o: next((i for i, (c, _) in enumerate(_seeded_categories(), 1) if c == o.code), 0)
    )


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"服务{n}")
    category = factory.SubFactory(CategoryFactory)
    venue = Service.Venue.SERVICE_HALL

    @factory.post_generation
    def providers(self, create, extracted, **kwargs):
        if create and extracted:
            self.providers.add(*extracted)


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity three days ahead, two hours long, sign-up closing an hour before."""

    class Meta:
        model = Activity

    title = factory.Sequence(lambda n: f"活动{n}")
    category = factory.SubFactory(CategoryFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    signup_deadline = factory.LazyAttribute(lambda o: o.starts_at - dt.timedelta(hours=1))
    venue = "红盟书吧"
    capacity = 10


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRequest

    service = factory.SubFactory(ServiceFactory)
    requester = factory.SubFactory(UserFactory)
    details = "需要帮助"


class ServiceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRecord

    service = factory.SubFactory(ServiceFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    delivered_on = factory.LazyFunction(timezone.localdate)


# --- wishes ----------------------------------------------------------------------------------
class WishFactory(factory.django.DjangoModelFactory):
    """A submitted wish; tests that need a later state move it through wishes.actions."""

    class Meta:
        model = Wish

    title = factory.Sequence(lambda n: f"心愿{n}")
    text = "希望开通公交"
    category = factory.SubFactory(CategoryFactory)
    wisher = factory.SubFactory(UserFactory)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    wish = factory.SubFactory(WishFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    claimed_by = factory.SubFactory(UserFactory)
    promised_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
