from peoplezones.audits.views import public, staff

app_name = "audits"

urlpatterns = [*public.urlpatterns, *staff.urlpatterns]
