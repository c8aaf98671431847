from django.urls import path

from services import views

app_name = "services"

urlpatterns = [
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/<id:pk>/", views.ServiceDetailView.as_view(), name="service_detail"),
    path("services/<id:pk>/request/", views.RequestCreateView.as_view(), name="request_new"),
    path("services/requests/", views.RequestListView.as_view(), name="request_list"),
    path("services/requests/<id:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("services/requests/<id:pk>/dispatch/", views.request_dispatch, name="request_dispatch"),
    path("services/requests/<id:pk>/accept/", views.request_accept, name="request_accept"),
    path("services/requests/<id:pk>/decline/", views.request_decline, name="request_decline"),
    path("services/requests/<id:pk>/complete/", views.request_complete, name="request_complete"),
    path("services/requests/<id:pk>/rate/", views.request_rate, name="request_rate"),
    path("services/requests/<id:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("services/records/new/", views.RecordCreateView.as_view(), name="record_new"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/<id:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<id:pk>/sign-up/", views.activity_sign_up, name="activity_sign_up"),
    path("activities/<id:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<id:pk>/check-in/", views.activity_check_in, name="check_in"),
    path("activities/<id:pk>/desk/", views.activity_desk, name="activity_desk"),
    path("activities/<id:pk>/desk/qr/", views.activity_desk_qr, name="activity_desk_qr"),
    path("activities/<id:pk>/desk/tick/", views.activity_tick, name="activity_tick"),
]
