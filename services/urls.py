from django.urls import include, path

from services import views

app_name = "services"

# Each object's pages and steps sit under its own URL (`include` takes the shared prefix once).
request_urls = [
    path("", views.RequestDetailView.as_view(), name="request_detail"),
    path("dispatch/", views.RequestDispatch.as_view(), name="request_dispatch"),
    path("accept/", views.RequestAccept.as_view(), name="request_accept"),
    path("decline/", views.RequestDecline.as_view(), name="request_decline"),
    path("complete/", views.RequestComplete.as_view(), name="request_complete"),
    path("rate/", views.RequestRate.as_view(), name="request_rate"),
    path("withdraw/", views.RequestWithdraw.as_view(), name="request_withdraw"),
]
activity_urls = [
    path("", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("sign-up/", views.activity_sign_up, name="activity_sign_up"),
    path("cancel/", views.activity_cancel, name="activity_cancel"),
    path("check-in/", views.activity_check_in, name="check_in"),
    path("desk/", views.activity_desk, name="activity_desk"),
    path("desk/qr/", views.activity_desk_qr, name="activity_desk_qr"),
    path("desk/tick/", views.activity_tick, name="activity_tick"),
]
urlpatterns = [
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/<id:pk>/", views.ServiceDetailView.as_view(), name="service_detail"),
    path("services/<id:pk>/request/", views.RequestCreateView.as_view(), name="request_new"),
    path("services/requests/", views.RequestListView.as_view(), name="request_list"),
    path("services/requests/<id:pk>/", include(request_urls)),
    path("services/records/new/", views.RecordCreateView.as_view(), name="record_new"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/<id:pk>/", include(activity_urls)),
]
