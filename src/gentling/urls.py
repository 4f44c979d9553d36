"""URLs. The web app (issue 3) and the API (issue 5) add their routes here."""

urlpatterns: list = []
