from django.urls import path

from members.notices import views

app_name = "notices"

urlpatterns = [
    path("me/notifications/", views.InboxView.as_view(), name="inbox"),
    path("me/notifications/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("me/notifications/read/", views.mark_all_read, name="mark_all_read"),
    path("me/notifications/settings/", views.NoticeSettingsView.as_view(), name="settings"),
]
