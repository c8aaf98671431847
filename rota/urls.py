from django.urls import path

from rota import views

app_name = "rota"

urlpatterns = [
    path("rota/", views.calendar, name="calendar"),
    path("rota/feed.ics", views.feed, name="feed"),
    path("rota/feed/<token:token>.ics", views.organisation_feed, name="organisation_feed"),
    path("rota/acknowledge/<signed:token>/", views.acknowledge, name="acknowledge"),
    path("rota/mine/", views.my_rota, name="my_rota"),
    path("rota/weeks/<id:pk>/swap/", views.swap_new, name="swap_new"),
    path("rota/weeks/<id:pk>/report/", views.report_new, name="report_new"),
    path("rota/organisations/<id:pk>/feed/", views.feed_rotate, name="feed_rotate"),
    path("rota/swaps/<id:pk>/accept/", views.swap_accept, name="swap_accept"),
    path("rota/swaps/<id:pk>/decline/", views.swap_decline, name="swap_decline"),
    path("rota/swaps/<id:pk>/cancel/", views.swap_cancel, name="swap_cancel"),
]
