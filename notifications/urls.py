from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("notifications/push/", views.push_subscription, name="push_subscription"),
    path("sw.js", views.service_worker, name="service_worker"),  # scope: the whole site
]
