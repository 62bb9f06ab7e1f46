from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.api import api
from peoplezones.core import views as core_views
from peoplezones.zones import views as zones_views

urlpatterns = [
    # The API first: its requests are the most frequent, and Django tries patterns in order.
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", core_views.api_not_found),
    path("", zones_views.home, name="home"),
    path("", include("peoplezones.zones.urls")),
    path("", include("peoplezones.core.urls")),
    path("", include("peoplezones.assets.urls")),
    path("", include("peoplezones.audits.urls")),
    path("", include("peoplezones.governance.urls")),
    path("", include("peoplezones.insight.urls_analysis")),
    path("", include("peoplezones.insight.urls")),
    path("payback/", include("peoplezones.payback.urls")),
    path("grants/", include("peoplezones.grants.urls")),
    path("finance/", include("peoplezones.finance.urls")),
    path("openreferral/", include("peoplezones.assets.openreferral.urls")),
    path("open311/v2/", include("peoplezones.audits.open311.urls")),
    path("accounts/", include("peoplezones.accounts.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME
