from django.urls import path

from . import views

urlpatterns = [
    path("hotline/", views.import_start, name="hotline_start"),
    path("hotline/replies/", views.reply_export, name="hotline_replies"),
    path("hotline/unplaced/", views.street_unplaced, name="hotline_street_unplaced"),
    path("hotline/jobs/<int:pk>/columns/", views.import_columns, name="hotline_columns"),
    path("hotline/jobs/<int:pk>/", views.import_job, name="hotline_job"),
    path("hotline/jobs/<int:pk>/status/", views.import_status, name="hotline_status"),
    path("hotline/jobs/<int:pk>/errors.csv", views.import_errors_csv, name="hotline_errors_csv"),
    path("hotline/jobs/<int:pk>/errors.xlsx", views.import_errors_xlsx, name="hotline_errors_xlsx"),
    path("hotline/jobs/<int:pk>/unplaced/", views.import_unplaced, name="hotline_unplaced"),
    path("hotline/rows/<int:pk>/place/", views.import_row_place, name="hotline_row_place"),
]
