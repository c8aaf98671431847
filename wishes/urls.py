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
    path("wishes/<int:pk>/", views.WishDetailView.as_view(), name="wish_detail"),
    path("wishes/<int:pk>/route/", views.RouteWishView.as_view(), name="wish_route"),
    path("wishes/<int:pk>/invite/<int:organisation_pk>/", views.invite, name="wish_invite"),
    path("wishes/<int:pk>/claim/", views.claim, name="wish_claim"),
    path("wishes/<int:pk>/claims/<int:claim_pk>/release/", views.release, name="claim_release"),
    path("wishes/<int:pk>/update/", views.post_update, name="wish_update"),
    path("wishes/<int:pk>/fulfil/", views.fulfil, name="wish_fulfil"),
    path("wishes/<int:pk>/confirm/", views.confirm, name="wish_confirm"),
    path("wishes/<int:pk>/reopen/", views.reopen, name="wish_reopen"),
    path("wishes/<int:pk>/withdraw/", views.withdraw, name="wish_withdraw"),
]
