"""/api/v1/deliberation/: compounds, proposals (one POST per registry action), meetings."""

from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter()
router.register("compounds", apis.CompoundViewSet, basename="api-compound")
router.register("proposals", apis.ProposalViewSet, basename="api-proposal")
router.register("meetings", apis.MeetingViewSet, basename="api-meeting")

urlpatterns = router.urls
