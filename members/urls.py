from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/contact/", views.ContactDetailsView.as_view(), name="contact_edit"),
    path("me/export/", views.export_my_data, name="me_export"),
]
