from django.urls import path

from points import views

app_name = "points"

urlpatterns = [
    path("points/", views.home, name="home"),
    path("points/redeem/", views.redeem, name="redeem"),
    path("points/vouchers/<token:code>/", views.voucher_detail, name="voucher_detail"),
    path("points/vouchers/<token:code>/qr.svg", views.voucher_qr, name="voucher_qr"),
    path("points/vouchers/<token:code>/cancel/", views.voucher_cancel, name="voucher_cancel"),
    path("points/operator/", views.operator, name="operator"),
]
