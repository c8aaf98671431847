from django.urls import path

from wishes import views

app_name = "wishes"

urlpatterns = [
    path("wishes/", views.WishListView.as_view(), name="wish_list"),
    path("wishes/new/", views.WishCreateView.as_view(), name="wish_new"),
    path("wishes/mine/", views.MyWishesView.as_view(), name="my_wishes"),
    path(
        "wishes/for-organisations/", views.ForOrganisationsView.as_view(), name="for_organisations"
    ),
    path("wishes/<id:pk>/", views.WishDetailView.as_view(), name="wish_detail"),
    path("wishes/<id:pk>/edit/", views.WishEditView.as_view(), name="wish_edit"),
    path("wishes/<id:pk>/route/", views.RouteWishView.as_view(), name="wish_route"),
    path("wishes/<id:pk>/invite/<id:organisation_pk>/", views.invite, name="wish_invite"),
    path("wishes/<id:pk>/claim/", views.claim, name="wish_claim"),
    path("wishes/<id:pk>/claims/<id:claim_pk>/release/", views.release, name="claim_release"),
    path("wishes/<id:pk>/update/", views.post_update, name="wish_update"),
    path("wishes/<id:pk>/fulfil/", views.fulfil, name="wish_fulfil"),
    path("wishes/<id:pk>/confirm/", views.confirm, name="wish_confirm"),
    path("wishes/<id:pk>/reopen/", views.reopen, name="wish_reopen"),
    path("wishes/<id:pk>/withdraw/", views.withdraw, name="wish_withdraw"),
]
