from peoplezones.audits.views import offline, public, staff

app_name = "audits"

urlpatterns = [*public.urlpatterns, *staff.urlpatterns, *offline.urlpatterns]
