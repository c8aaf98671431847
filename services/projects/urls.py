from django.urls import path

from services.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("<id:pk>/", views.project_detail, name="project_detail"),
    path("<id:pk>/claim/", views.ProjectClaim.as_view(), name="project_claim"),
    path("<id:pk>/report/", views.ProjectReport.as_view(), name="project_report"),
    path("<id:pk>/rate/", views.ProjectRate.as_view(), name="project_rate"),
]
