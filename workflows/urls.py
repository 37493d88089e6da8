from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:workbench>/", views.workbench, name="workbench"),
]
