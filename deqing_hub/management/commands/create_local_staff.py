import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

LOCAL_STAFF_EMAIL = "admin@localhost.cn"


class Command(BaseCommand):
    help = "Create a local staff account once and print its login; later runs print nothing new."

    def handle(self, *args, **options):
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError(_("This command is for local development only (DJANGO_DEBUG=true)."))
        User = get_user_model()
        if User.objects.filter(email__iexact=LOCAL_STAFF_EMAIL).exists():
            self.stdout.write(
                _("Local staff account %(email)s already exists.") % {"email": LOCAL_STAFF_EMAIL}
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(
            email=LOCAL_STAFF_EMAIL, password=password, last_name="管理员"
        )
        EmailAddress.objects.create(user=user, email=LOCAL_STAFF_EMAIL, verified=True, primary=True)
        # Printed once only: the password is not stored anywhere else.
        self.stdout.write(self.style.SUCCESS(_("Local staff account created (shown once):")))
        self.stdout.write("  " + _("Login: %(login)s") % {"login": LOCAL_STAFF_EMAIL})
        self.stdout.write("  " + _("Password: %(password)s") % {"password": password})
