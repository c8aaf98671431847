from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from deqing_hub import ranking_views, views

handler400 = "deqing_hub.views.bad_request"
handler403 = "deqing_hub.views.permission_denied"
handler404 = "deqing_hub.views.page_not_found"
handler500 = "deqing_hub.views.server_error"

urlpatterns = [
    path("", ranking_views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    # The public lists behind the home figures (issue 18).
    path("figures/<slug:key>/", views.figure_list, name="figure_list"),
    # The covenant compliance view (issue 18): this year, and each past year.
    path("covenant/", views.covenant, name="covenant"),
    path("covenant/<year:year>/", views.covenant, name="covenant_year"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("members.urls")),
    path("", include("members.notices.urls")),
    path("", include("rota.urls")),
    path("", include("points.urls")),
    path("", include("services.urls")),
    path("projects/", include("services.projects.urls")),
    path("", include("wishes.urls")),
    # The ranking (issue 8): month, year, and the breakdown behind every score.
    path("ranking/", ranking_views.last_closed_month, name="ranking"),
    path("ranking/<year:year>/", ranking_views.year, name="ranking_year"),
    path("ranking/<year:year>/<month:month>/", ranking_views.month, name="ranking_month"),
    path(
        "ranking/<year:year>/organisations/<id:pk>/",
        ranking_views.year_organisation_breakdown,
        name="ranking_year_organisation",
    ),
    path(
        "ranking/<year:year>/<month:month>/organisations/<id:pk>/",
        ranking_views.organisation_breakdown,
        name="ranking_organisation",
    ),
    path(
        "ranking/<year:year>/<month:month>/branches/<id:pk>/",
        ranking_views.branch_breakdown,
        name="ranking_branch",
    ),
    path(
        "ranking/<year:year>/<month:month>/volunteers/<id:pk>/",
        ranking_views.volunteer_breakdown,
        name="ranking_volunteer",
    ),
]

if settings.BENCH:
    # The benchmark's reference (`make bench`): the cheapest page the real middleware can serve.
    urlpatterns += [path("_bench/bare/", views.bench_bare, name="bench_bare")]

if settings.DEBUG:
    # Uploaded photos in local development; nginx serves /media/ in production.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
