"""Accounts, enterprises, party branches and party members."""

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from members.audit import AuditEvent  # noqa: F401  (the audit trail's model)
from members.encryption import decrypt_text, encrypt_text, lookup_digest
from members.fields import (
    Timestamped,
    acting_user,
    optional_link,
    parent_link,
    protected_link,
    stamp,
)
from members.masking import mask_id_number, mask_mobile, masked_contact
from members.querysets import BranchQuerySet, MemberQuerySet
from members.sheet_jobs import SheetJob  # noqa: F401  (large sheets imported by a worker)
from members.text import CleanCharField, CleanEmailField, CleanTextField
from members.validators import normalize_id_number, validate_credit_code, validate_mobile


class PortalUserManager(UserManager["User"]):
    """Users log in by e-mail or mobile; the username is an internal handle."""

    def create_user(self, username=None, email=None, password=None, **extra_fields):
        username = username or email or extra_fields.get("phone")
        # Accounts made in code take their mobile from staff or the roll: verified. allauth's
        # sign-up does not come here, and its mobile waits for the SMS code.
        extra_fields.setdefault("phone_verified", bool(extra_fields.get("phone")))
        return super().create_user(username, email, password, **extra_fields)

    def create_superuser(self, username=None, email=None, password=None, **extra_fields):
        username = username or email
        return super().create_superuser(username, email, password, **extra_fields)

    def staff_holding(self, perm: str) -> models.QuerySet["User"]:
        """Active staff accounts holding `perm` ("app.codename"), superusers included.

        Who counts as centre staff for a notice: contacts and operators have admin access
        (is_staff) too, so the permission decides. The permissions in the database only
        (ModelBackend): one query, whichever other backends are configured.
        """
        return self.with_perm(
            perm, include_superusers=True, backend="django.contrib.auth.backends.ModelBackend"
        ).filter(is_staff=True, is_active=True)


class User(AbstractUser):
    """A login: staff, party members, alliance contacts, operators and the public."""

    # AbstractUser's text fields again, as the portal's clean text fields (members.text):
    # names are shown on public pages. Same labels and rules; `password` holds a hash only.
    username = CleanCharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
        validators=[AbstractUser.username_validator],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    first_name = CleanCharField(_("first name"), max_length=150, blank=True)
    last_name = CleanCharField(_("last name"), max_length=150, blank=True)
    email = CleanEmailField(_("email address"), blank=True)
    phone = CleanCharField(
        _("mobile"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Mainland mobile number, 11 digits; used to log in."),
    )
    phone_verified = models.BooleanField(_("mobile verified"), default=False)
    # The language notices are written in for this person; empty: the portal's (Chinese).
    language = CleanCharField(
        _("language of notices"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    # Unread notices in the inbox (members.notices keeps it in step, in the same transaction
    # as the notices): the header shows it without a query of its own on every page.
    unread_notices = models.PositiveIntegerField(_("unread notices"), default=0, editable=False)

    objects: ClassVar[PortalUserManager] = PortalUserManager()

    # Not `Meta(AbstractUser.Meta)`: this Meta sets both names that one holds, and its
    # type in django-stubs (plain str) refuses the lazy translations.
    class Meta:
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
        # The name, else the masked mobile or e-mail: str(user) ends up in admin pages,
        # dropdowns, the admin log and public pages, so it never carries a contact in clear.
        return self.display_name or masked_contact(self)

    @property
    def display_name(self) -> str:
        """The person's name, Chinese order (family name first, no space); may be empty."""
        return f"{self.last_name}{self.first_name}".strip()


class Enterprise(models.Model):
    """A company registered in the town."""

    class Industry(models.TextChoices):
        GEOINFORMATION = "gis", _("Geographic information")
        FINANCE_BACK_OFFICE = "finance", _("Financial back-office")
        OTHER = "other", _("Other")

    name = CleanCharField(_("name"), max_length=200)
    credit_code = CleanCharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    industry = CleanCharField(
        _("industry"), max_length=16, choices=Industry.choices, default=Industry.OTHER
    )
    signed_on = models.DateField(_("date signed"), null=True, blank=True)
    is_active = models.BooleanField(_("on the roll"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        permissions = [
            ("import_enterprise", _("Can import enterprises from a spreadsheet")),
            ("export_enterprise", _("Can export enterprises to a spreadsheet")),
        ]

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """A party branch of the town party committee."""

    class Kind(models.TextChoices):
        STANDALONE = "standalone", _("Standalone enterprise branch")
        JOINT = "joint", _("Joint branch")
        CENTRE = "centre", _("Service-centre branch")

    name = CleanCharField(_("name"), max_length=200, unique=True)
    kind = CleanCharField(_("kind"), max_length=16, choices=Kind.choices)
    enterprises = models.ManyToManyField(
        Enterprise, related_name="branches", blank=True, verbose_name=_("enterprises")
    )
    secretary = optional_link(User, related_name="branches_led", verbose_name=_("secretary"))

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        permissions = [
            ("import_branch", _("Can import branches from a spreadsheet")),
            ("export_branch", _("Can export branches to a spreadsheet")),
        ]

    def __str__(self) -> str:
        return self.name


class Member(Timestamped):
    """A party member of one branch; optionally linked to a login."""

    class Gender(models.TextChoices):
        MALE = "m", _("Male")
        FEMALE = "f", _("Female")

    class Status(models.TextChoices):
        FULL = "full", _("Full member")
        PROBATIONARY = "probationary", _("Probationary member")

    class TalentProgramme(models.TextChoices):
        NATIONAL = "national", _("National thousand-talents programme")
        PROVINCIAL = "provincial", _("Provincial thousand-talents programme")
        SOUTH_TAIHU = "south_taihu", _("South Taihu elite programme")

    class TalentOrigin(models.TextChoices):
        CULTIVATED = "cultivated", _("Cultivated locally")
        RECRUITED = "recruited", _("Recruited")

    name = CleanCharField(_("full name"), max_length=50)
    # Derived in save(): full pinyin and initials, so staff can search "wangxm" or "wxm".
    name_pinyin = CleanCharField(_("name in pinyin"), max_length=200, blank=True, editable=False)
    gender = CleanCharField(_("gender"), max_length=1, choices=Gender.choices)
    mobile = CleanCharField(_("mobile"), max_length=11, blank=True, validators=[validate_mobile])
    email = CleanEmailField(_("e-mail"), blank=True)
    branch = protected_link(Branch, related_name="members", verbose_name=_("branch"))
    status = CleanCharField(
        _("party status"), max_length=16, choices=Status.choices, default=Status.FULL
    )
    joined_on = models.DateField(_("date joined"), null=True, blank=True)
    employer = optional_link(Enterprise, related_name="employees", verbose_name=_("employer"))
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("account"),
    )
    ranking_consent = models.BooleanField(_("may appear by name in public rankings"), default=False)
    # The talent programme a member holds (the article counts people, one programme each).
    talent_programme = CleanCharField(
        _("talent programme"), max_length=16, choices=TalentProgramme.choices, blank=True
    )
    talent_origin = CleanCharField(
        _("cultivated or recruited"), max_length=16, choices=TalentOrigin.choices, blank=True
    )
    # The resident ID number: collected only with its own consent, stored encrypted, looked up
    # and kept unique through a keyed digest. Use the `id_number` property, never these columns.
    id_number_consent = models.BooleanField(
        _("consents to the ID number being kept"),
        default=False,
        help_text=_("Separate consent; without it the ID number is neither collected nor kept."),
    )
    id_number_encrypted = CleanTextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_digest = CleanCharField(
        _("ID number lookup digest"), max_length=64, null=True, blank=True, editable=False
    )
    is_active = models.BooleanField(_("on the roll"), default=True)

    # The party-roll particulars staff keep up, in the admin's member form and in the roll
    # sheet alike: a particular added to the roll is added to both.
    ROLL_FIELDS = (
        "branch",
        "status",
        "joined_on",
        "employer",
        "talent_programme",
        "talent_origin",
        "ranking_consent",
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["branch__name", "name", "pk"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        permissions = [
            ("view_all_branches", _("Can see and edit members of every branch")),
            (
                "reveal_personal_data",
                _("Can reveal full ID numbers and mobiles (every reveal is recorded)"),
            ),
            ("import_member", _("Can import members from a spreadsheet")),
            ("export_member", _("Can export members to a spreadsheet")),
            ("invite_member", _("Can invite a member to log in")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                name="members_member_id_number_unique",
                violation_error_message=_("Another member already has this ID number."),
            ),
            models.CheckConstraint(
                condition=Q(id_number_digest__isnull=True) | Q(id_number_consent=True),
                name="members_member_id_number_needs_consent",
                violation_error_message=_(
                    "An ID number may only be kept with the member's consent."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(talent_programme="") & Q(talent_origin=""))
                | (~Q(talent_programme="") & ~Q(talent_origin="")),
                name="members_member_talent_programme_with_origin",
                violation_error_message=_(
                    "A talent programme needs to say whether the talent was cultivated "
                    "or recruited."
                ),
            ),
        ]
        indexes = [models.Index(fields=["mobile"], name="members_member_mobile_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_pinyin = pinyin_search_text(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin"}
        super().save(*args, **kwargs)

    @property
    def id_number(self) -> str:
        """The plain ID number ('' if none). Callers must mask it unless the user may reveal."""
        if not self.id_number_encrypted:
            return ""
        return decrypt_text(self.id_number_encrypted)

    @id_number.setter
    def id_number(self, value: str) -> None:
        number = normalize_id_number(value)
        if not number:
            self.id_number_encrypted = ""
            self.id_number_digest = None
            return
        if number == self.id_number:
            return  # keep the token: re-encrypting would change the row for nothing
        self.id_number_encrypted = encrypt_text(number)
        self.id_number_digest = lookup_digest(number)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


def pinyin_search_text(name: str) -> str:
    """'王小明' -> 'wangxiaoming wxm' (what staff type when searching)."""
    if not name:
        return ""
    full = "".join(lazy_pinyin(name))
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
    return f"{full} {initials}".lower()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self) -> "InvitationQuerySet":
        """Not yet used and not expired (a re-sent invitation expires the earlier ones)."""
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A link staff sent a member to open their account: good once, until it expires.

    Only a digest of the link's token is stored, so the table cannot be used to log in.
    """

    member = parent_link(Member, related_name="invitations", verbose_name=_("party member"))
    user = parent_link(User, related_name="invitations", verbose_name=_("account"))
    token_digest = CleanCharField(_("token digest"), max_length=64, unique=True)
    sent_by = acting_user(_("sent by"), blank=False)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = stamp(_("accepted at"))
    by_sms = models.BooleanField(_("by SMS"), default=False)
    by_email = models.BooleanField(_("by e-mail"), default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.member} ({timezone.localtime(self.sent_at):%Y-%m-%d %H:%M})"


class PersonalDataReveal(models.Model):
    """One full reveal of a member's ID number and mobile: who saw whose data, when, how."""

    class Channel(models.TextChoices):
        ADMIN = "admin", _("Staff admin page")
        EXPORT = "export", _("Spreadsheet export")

    member = parent_link(Member, related_name="reveals", verbose_name=_("party member"))
    revealed_by = protected_link(
        settings.AUTH_USER_MODEL,
        related_name="personal_data_reveals",
        verbose_name=_("revealed by"),
    )
    channel = CleanCharField(_("channel"), max_length=16, choices=Channel.choices)
    revealed_at = models.DateTimeField(_("revealed at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-revealed_at", "-pk"]
        verbose_name = _("personal data reveal")
        verbose_name_plural = _("personal data reveals")

    def __str__(self) -> str:
        # Staff read Shanghai time; the stored value is UTC.
        revealed_at = timezone.localtime(self.revealed_at)
        return f"{self.revealed_by} → {self.member} ({revealed_at:%Y-%m-%d %H:%M})"
