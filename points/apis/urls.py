app_name = "points_api"
urlpatterns: list = []
