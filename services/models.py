"""The service catalogue, service requests and records, and activities."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """One of the six service-list categories (党建指导, 党务办理, ...); editable by staff."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    def __str__(self) -> str:
        return self.name
