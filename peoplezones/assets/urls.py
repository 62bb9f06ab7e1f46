from peoplezones.assets.views import exports, imports, moderation, public

app_name = "assets"

urlpatterns = [
    *public.urlpatterns,
    *moderation.urlpatterns,
    *imports.urlpatterns,
    *exports.urlpatterns,
]
