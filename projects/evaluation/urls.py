from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.evaluation_list, name="evaluation_list"),
    path("open/<int:project_pk>/", views.evaluation_open, name="evaluation_open"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("<int:pk>/action/", views.evaluation_action, name="evaluation_action"),
    path("<int:pk>/assign/", views.evaluation_assign, name="evaluation_assign"),
    path("<int:pk>/tokens/", views.evaluation_tokens, name="evaluation_tokens"),
    path("<int:pk>/score/", views.evaluation_score, name="evaluation_score"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<int:pk>/survey.xlsx", views.responses_xlsx, name="responses_xlsx"),
    path("year/<int:year>.xlsx", views.year_xlsx, name="year_xlsx"),
    path("year/<int:year>/reports/", views.year_reports, name="year_reports"),
    path("institutions/<int:pk>/", views.institution_record, name="institution_record"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("systems/", views.systems, name="systems"),
    # public, no login (R61)
    path("survey/<str:token>/", views.survey, name="survey"),
]
