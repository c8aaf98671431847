"""Accounts, enterprises, party branches and party members."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.masking import mask_mobile


class PortalUserManager(UserManager):
    """Users log in by e-mail or mobile; the username is an internal handle."""

    def create_user(self, username=None, email=None, password=None, **extra_fields):
        username = username or email or extra_fields.get("phone")
        return super().create_user(username, email, password, **extra_fields)

    def create_superuser(self, username=None, email=None, password=None, **extra_fields):
        username = username or email
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A login: staff, party members, alliance contacts, operators and the public."""

    phone = models.CharField(
        _("mobile"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Mainland mobile number, 11 digits; used to log in."),
    )
    phone_verified = models.BooleanField(_("mobile verified"), default=False)

    objects = PortalUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~Q(email=""),
                name="members_user_email_unique_ci",
            ),
        ]

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.email or mask_mobile(self.phone) or self.username

    @property
    def display_name(self) -> str:
        """Chinese order: family name first, no space."""
        return str(self)


class Enterprise(models.Model):
    """A company registered in the town."""

    class Industry(models.TextChoices):
        GEOINFORMATION = "gis", _("Geographic information")
        FINANCE_BACK_OFFICE = "finance", _("Financial back-office")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    industry = models.CharField(
        _("industry"), max_length=16, choices=Industry.choices, default=Industry.OTHER
    )
    signed_on = models.DateField(_("date signed"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """A party branch of the town party committee."""

    class Kind(models.TextChoices):
        STANDALONE = "standalone", _("Standalone enterprise branch")
        JOINT = "joint", _("Joint branch")
        CENTRE = "centre", _("Service-centre branch")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    enterprises = models.ManyToManyField(
        Enterprise, related_name="branches", blank=True, verbose_name=_("enterprises")
    )
    secretary = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branches_led",
        verbose_name=_("secretary"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A party member of one branch; optionally linked to a login."""

    class Gender(models.TextChoices):
        MALE = "m", _("Male")
        FEMALE = "f", _("Female")

    class Status(models.TextChoices):
        FULL = "full", _("Full member")
        PROBATIONARY = "probationary", _("Probationary member")

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="members", verbose_name=_("branch")
    )
    status = models.CharField(
        _("party status"), max_length=16, choices=Status.choices, default=Status.FULL
    )
    joined_on = models.DateField(_("date joined"), null=True, blank=True)
    employer = models.ForeignKey(
        Enterprise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("employer"),
    )
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("account"),
    )
    ranking_consent = models.BooleanField(
        _("may appear by name in public rankings"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["branch__name", "name", "pk"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")

    def __str__(self) -> str:
        return self.name
