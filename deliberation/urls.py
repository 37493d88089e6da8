from django.urls import path

from . import views
from .actions import ACTIONS

app_name = "deliberation"

urlpatterns = [
    path("", views.compound_list, name="compound_list"),
    path("c/<str:code>/", views.compound_public, name="compound_public"),
    path("c/<str:code>/data/", views.compound_data, name="compound_data"),
    path("c/<str:code>/register/", views.compound_register, name="compound_register"),
    path("c/<str:code>/propose/", views.propose, name="propose"),
    path("p/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("p/<int:pk>/process.svg", views.proposal_chart, name="proposal_chart"),
    *(
        path(
            f"p/<int:pk>/{a.name}/", views.proposal_action, {"action": a.name}, name=f"act_{a.name}"
        )
        for a in ACTIONS
    ),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("decisions/<int:pk>/case/", views.decision_case, name="decision_case"),
    path("decisions/<int:pk>/proposal/", views.decision_proposal, name="decision_proposal"),
]
