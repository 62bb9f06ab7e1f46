from peoplezones.governance.views import actions, initiatives, meetings

app_name = "governance"

urlpatterns = [*meetings.urlpatterns, *actions.urlpatterns, *initiatives.urlpatterns]
