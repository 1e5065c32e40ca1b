from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("queue/", views.queue, name="queue"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/import-template.xlsx", views.import_template, name="import_template"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/transition/", views.PlanTransitionView.as_view(), name="plan_transition"),
    path("plans/<int:pk>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("plans/<int:pk>/plan.xlsx", views.plan_xlsx, name="plan_xlsx"),
    path("plans/<int:pk>/import/", views.plan_import, name="plan_import"),
    path("plans/<int:plan_pk>/projects/new/", views.project_create, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/transition/", views.ProjectTransitionView.as_view(), name="project_transition"),
    path("<int:pk>/inspections/", views.inspection_create, name="inspection_create"),
    path("<int:pk>/inspections/<int:visit_pk>/status/", views.inspection_status, name="inspection_status"),
]
