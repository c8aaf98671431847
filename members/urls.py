from django.urls import path

from members import invitation_views, views

app_name = "members"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/contact/", views.ContactDetailsView.as_view(), name="contact_edit"),
    path("me/export/", views.export_my_data, name="me_export"),
    # Under /accounts/ beside allauth's pages (allauth's own include matches none of these).
    path(
        "accounts/invitation/<str:token>/",
        invitation_views.open_account,
        name="open_account",
    ),
]
