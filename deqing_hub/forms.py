"""The portal's form renderer: one markup for a labelled field on every public page."""

from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Django's forms through the project's engine, with the portal's field group.

    ``{{ form }}`` renders templates/forms/form.html (errors, fields, hidden fields) and
    ``{{ field.as_field_group }}`` renders templates/forms/field.html: label (or, for a tick
    box, the box inside its label), the field, help text tied to it by aria-describedby, and
    errors. The admin keeps its own field markup.
    """

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
