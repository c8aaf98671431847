from django.urls import path

from services.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("<id:pk>/", views.project_detail, name="project_detail"),
    path("<id:pk>/claim/", views.project_claim, name="project_claim"),
    path("<id:pk>/report/", views.project_report, name="project_report"),
    path("<id:pk>/rate/", views.project_rate, name="project_rate"),
]
