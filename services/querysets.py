"""Query sets of the services app: the scoped look-ups views must go through."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from rota.models import Organisation


def contact_q(user, prefix: str = "organisation__") -> Q:
    """Rows whose organisation has `user` as duty or backup contact (rota's one rule for it)."""
    return Q(**{f"{prefix}in": Organisation.objects.for_contact(user)})


def sees_every_organisation(user) -> bool:
    """Centre staff: staff who may change the service catalogue see every organisation's rows.

    An alliance contact with admin access (is_staff) is not centre staff. Checking is_staff
    first spares members the permission queries.
    """
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("services.change_service")
    )


class ServiceQuerySet(models.QuerySet):
    def active(self) -> ServiceQuerySet:
        return self.filter(is_active=True)

    def search(self, text: str) -> ServiceQuerySet:
        """Match Chinese words in title or description, or pinyin ("dangjian", "djzd").

        icontains is a plain substring match, which is what Chinese needs (no word breaks).
        ASCII letters are also tried against the stored pinyin of title and description.
        """
        text = " ".join(text.split())[:50]
        if not text:
            return self
        condition = Q(title__icontains=text) | Q(description__icontains=text)
        compact = text.replace(" ", "").lower()
        if compact.isascii() and compact.isalpha():
            condition |= Q(search_pinyin__contains=compact)
        return self.filter(condition)


class ServiceRequestQuerySet(models.QuerySet):
    def for_requester(self, user) -> ServiceRequestQuerySet:
        return self.filter(requester=user)

    def for_contact(self, user) -> ServiceRequestQuerySet:
        """Requests dispatched to an organisation `user` is a contact of (never undispatched)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(contact_q(user)).exclude(status="requested")

    def visible_to(self, user) -> ServiceRequestQuerySet:
        """Centre staff see all; others their own requests and those dispatched to their
        organisation (an alliance contact with admin access is not centre staff)."""
        if not user.is_authenticated:
            return self.none()
        if sees_every_organisation(user):
            return self
        return self.filter(
            Q(requester=user) | (contact_q(user) & ~Q(status="requested"))
        ).distinct()

    def managed_by(self, user) -> ServiceRequestQuerySet:
        """Admin scope: all for centre staff (who run the catalogue), else `for_contact`."""
        if sees_every_organisation(user):
            return self.all()
        return self.for_contact(user)

    def awaiting_answer(self) -> ServiceRequestQuerySet:
        return self.filter(status__in=["requested", "dispatched"])

    def overdue(self, now=None) -> ServiceRequestQuerySet:
        """Requests nobody answered within SERVICES_REQUEST_ANSWER_DAYS days.

        Staff must dispatch a new request, and the organisation must accept or decline a
        dispatched one, within that many days of the step before.
        """
        cutoff = (now or timezone.now()) - timedelta(days=settings.SERVICES_REQUEST_ANSWER_DAYS)
        return self.filter(
            Q(status="requested", created_at__lt=cutoff)
            | Q(status="dispatched", dispatched_at__lt=cutoff)
        )


class ActivityQuerySet(models.QuerySet):
    def published(self) -> ActivityQuerySet:
        return self.filter(is_published=True)

    def upcoming(self, now=None) -> ActivityQuerySet:
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now=None) -> ActivityQuerySet:
        return self.filter(ends_at__lt=now or timezone.now())

    def managed_by(self, user) -> ActivityQuerySet:
        """The activities `user` runs, in the admin and at the check-in desk: all for centre
        staff, else those of the organisations `user` is duty or backup contact of."""
        if not user.is_authenticated:
            return self.none()
        if sees_every_organisation(user):
            return self.all()
        return self.filter(contact_q(user))

    def with_counts(self) -> ActivityQuerySet:
        """Annotate `confirmed_count` and `waiting_count`: a subquery per activity shown.

        Not a join with GROUP BY: that grouped every sign-up of every upcoming activity
        (100,000 rows at county scale) before a page took 20. PostgreSQL evaluates these after
        the sort and limit, over the sign-ups index of just the activities on the page.
        """
        from services.models import SignUp

        def count(status: str) -> Coalesce:
            rows = (
                SignUp.objects.filter(activity=OuterRef("pk"), status=status)
                .order_by()
                .values("activity")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

        return self.annotate(confirmed_count=count("confirmed"), waiting_count=count("waiting"))


class SignUpQuerySet(models.QuerySet):
    def managed_by(self, user) -> SignUpQuerySet:
        """Admin scope: the sign-ups of the activities `user` manages (`Activity.managed_by`)."""
        return _of_managed_activities(self, user)

    def active(self) -> SignUpQuerySet:
        return self.exclude(status="cancelled")

    def confirmed(self) -> SignUpQuerySet:
        return self.filter(status="confirmed")

    def waiting(self) -> SignUpQuerySet:
        return self.filter(status="waiting")


class AttendanceQuerySet(models.QuerySet):
    def managed_by(self, user) -> AttendanceQuerySet:
        """Admin scope: the attendance of the activities `user` manages (`Activity.managed_by`)."""
        return _of_managed_activities(self, user)


def _of_managed_activities(queryset: models.QuerySet, user):
    """The rows of activities `user` manages: the same rule as `ActivityQuerySet.managed_by`."""
    if not user.is_authenticated:
        return queryset.none()
    if sees_every_organisation(user):
        return queryset.all()
    return queryset.filter(contact_q(user, prefix="activity__organisation__"))
