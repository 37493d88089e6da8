from django.urls import path

from . import views

urlpatterns = [
    path("account/phone/", views.account_phone, name="account_phone"),
]
