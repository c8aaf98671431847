from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from members.masking import mask_mobile
from members.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "masked_phone", "is_staff", "is_active")
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Mobile"), {"fields": ("phone", "phone_verified")}),)

    @admin.display(description=_("mobile"))
    def masked_phone(self, obj: User) -> str:
        return mask_mobile(obj.phone)

    @admin.display(description=_("name"))
    def display_name(self, obj: User) -> str:
        return obj.display_name
