from peoplezones.grants.views import urls_applicant, urls_public, urls_staff

app_name = "grants"

urlpatterns = [*urls_public.urlpatterns, *urls_applicant.urlpatterns, *urls_staff.urlpatterns]
