import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peoplezones.core.models import TimeStampedModel

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #1d70b8."))


class Category(TimeStampedModel):
    """A term of the asset taxonomy, a tree (e.g. Health and wellbeing > Mental health).

    Staff manage it in the admin site; contributors pick from it and cannot add to it.
    """

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    colour = models.CharField(
        _("marker colour"), max_length=7, default="#1d70b8", validators=[colour_validator]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class AssetQuerySet(models.QuerySet):
    """Bulk writes keep what `Asset.save()` keeps: each row's stored public feature, and the
    public data version (see `PublicDataVersion`), changed in the same transaction as the
    rows. Single saves and deletes change the version through signals (`assets.feature_cache`).
    """

    def bulk_create(self, objs: Iterable["Asset"], *args: Any, **kwargs: Any) -> list["Asset"]:
        from peoplezones.assets.serializers import asset_fragment

        objs = list(objs)
        for obj in objs:
            obj.public_feature = asset_fragment(obj)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            PublicDataVersion.bump(using=self.db)
        return created

    def bulk_update(
        self, objs: Iterable["Asset"], fields: Iterable[str], *args: Any, **kwargs: Any
    ) -> int:
        from peoplezones.assets.serializers import FRAGMENT_FIELDS, asset_fragment

        objs, fields = list(objs), list(fields)
        if FRAGMENT_FIELDS.intersection(fields) and "public_feature" not in fields:
            for obj in objs:
                obj.public_feature = asset_fragment(obj)
            fields.append("public_feature")
        with transaction.atomic(using=self.db):
            updated = super().bulk_update(objs, fields, *args, **kwargs)
            PublicDataVersion.bump(using=self.db)
        return updated

    def update(self, **kwargs: Any) -> int:
        from peoplezones.assets.serializers import FRAGMENT_FIELDS, asset_fragment

        rebuild = "public_feature" not in kwargs and FRAGMENT_FIELDS.intersection(kwargs)
        with transaction.atomic(using=self.db):
            # The rows to rebuild, taken before the update may move them out of the filter.
            pks = list(self.values_list("pk", flat=True)) if rebuild else []
            updated = super().update(**kwargs)
            base = self.model._base_manager.using(self.db)
            for start in range(0, len(pks), 500):
                changed = list(base.filter(pk__in=pks[start : start + 500]))
                for asset in changed:
                    asset.public_feature = asset_fragment(asset)
                base.bulk_update(changed, ["public_feature"])
            PublicDataVersion.bump(using=self.db)
        return updated


class Asset(TimeStampedModel):
    """Something good in or near a zone: a group, a service, a place, a business.

    Contributor details are private. A sensitive asset (a refuge, say) never shows its exact
    location in public: only its zone. Status changes follow `assets.workflow`.
    """

    class AssetClass(models.TextChoices):
        ASSOCIATION = "association", _("Association or group")
        INSTITUTION = "institution", _("Institution or service")
        PHYSICAL_SPACE = "physical_space", _("Physical space")
        ECONOMIC = "economic", _("Local economy")
        CULTURAL = "cultural", _("Culture and heritage")
        # People's own skills are mapped for the programme team only: never published.
        INDIVIDUAL = "individual", _("Individual's skills (never public)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        ARCHIVED = "archived", _("Archived")

    class Source(models.TextChoices):
        CONTRIBUTED = "contributed", _("Contributed by the public")
        IMPORTED = "imported", _("Imported")
        STAFF = "staff", _("Added by staff")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    asset_class = models.CharField(
        _("kind of asset"),
        max_length=20,
        choices=AssetClass.choices,
        default=AssetClass.ASSOCIATION,
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), related_name="assets", blank=True
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    zone = models.ForeignKey(
        "zones.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
        help_text=_("Derived from the point; empty for assets just outside every zone."),
    )
    address = models.CharField(_("address"), max_length=250, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    opening_hours = models.JSONField(
        _("opening hours"),
        default=list,
        blank=True,
        help_text=_('A list of {"day": 0-6 (Monday is 0), "opens": "09:00", "closes": "17:00"}.'),
    )
    phone = models.CharField(_("public phone"), max_length=40, blank=True)
    email = models.EmailField(_("public email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    accessibility = models.TextField(_("accessibility"), blank=True)
    languages = models.CharField(
        _("languages spoken"), max_length=200, blank=True, help_text=_("Separated by commas.")
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.CONTRIBUTED
    )
    last_verified = models.DateField(_("last checked"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    sensitive = models.BooleanField(
        _("sensitive location"),
        default=False,
        help_text=_("Never show the exact place in public (a refuge, for example): only the zone."),
    )
    do_not_display = models.BooleanField(
        _("do not display"), default=False, help_text=_("Keep it off every public page and feed.")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_assets",
    )
    # Private: never in public pages, the public API or exports.
    contributor_name = models.CharField(_("contributor's name"), max_length=120, blank=True)
    contributor_email = models.EmailField(_("contributor's email"), blank=True)
    # Derived, never edited: the public feature as stored JSON text (see
    # `serializers.asset_fragment`), so that map pages are joined rather than built.
    public_feature = models.TextField(editable=False, blank=True, default="")

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="asset_point_idx"),
            models.Index(fields=["status", "zone"], name="asset_status_zone_idx"),
        ]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        """Whether anyone may see it: the same rule as `PUBLIC_ASSETS`, for one instance."""
        return (
            self.status == self.Status.PUBLISHED
            and not self.do_not_display
            and self.asset_class != self.AssetClass.INDIVIDUAL
        )

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assets:asset-detail", kwargs={"pk": self.pk})

    def save(self, **kwargs: Any) -> None:
        # Rebuild the stored public feature whenever a field it is made of may have changed.
        from peoplezones.assets.serializers import FRAGMENT_FIELDS, asset_fragment

        update_fields = kwargs.get("update_fields")
        if update_fields is None or FRAGMENT_FIELDS.intersection(update_fields):
            self.public_feature = asset_fragment(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "public_feature"}
        # Whether the row is public just before this save (read now, not when the instance was
        # loaded, so a change made meanwhile by someone else counts): saving an asset that
        # neither was nor is public, such as an edit of a pending contribution, leaves the
        # public data version alone (`feature_cache._asset_saved`).
        self.public_before_save = self.is_public or (
            not self._state.adding
            and Asset._base_manager.using(
                kwargs.get("using") or router.db_for_write(Asset, instance=self)
            )
            .filter(PUBLIC_ASSETS, pk=self.pk)
            .exists()
        )
        super().save(**kwargs)

    @property
    def language_list(self) -> list[str]:
        return [item.strip() for item in self.languages.split(",") if item.strip()]


# What anyone may see: published, not hidden, and never people's own skills. `Asset.is_public`
# says the same of one instance; keep the two together.
PUBLIC_ASSETS = Q(status=Asset.Status.PUBLISHED, do_not_display=False) & ~Q(
    asset_class=Asset.AssetClass.INDIVIDUAL
)


class AssetPhoto(TimeStampedModel):
    """A photo of an asset, re-encoded with every bit of metadata (EXIF, GPS) removed."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="assets/%Y/%m/")
    alt_text = models.CharField(_("description of the photo"), max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.alt_text


class Flag(TimeStampedModel):
    """Someone says a published asset is wrong or should not be listed.

    A flag never changes an asset's status by itself: a moderator decides.
    """

    class Reason(models.TextChoices):
        WRONG = "wrong", _("The details are wrong or out of date")
        CLOSED = "closed", _("It has closed or moved")
        INAPPROPRIATE = "inappropriate", _("It should not be listed")
        SAFETY = "safety", _("It puts someone at risk")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    resolution = models.TextField(_("what the moderator did"), blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.asset}"


class AssetChange(TimeStampedModel):
    """A suggested change to a published asset, waiting for a moderator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="changes")
    changes = models.JSONField(_("suggested values"), default=dict)
    note = models.TextField(_("note from the contributor"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.TextField(_("moderator's reason"), blank=True)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contributor_email = models.EmailField(_("contributor's email"), blank=True)

    class Meta:
        ordering = ["created"]
        verbose_name = _("suggested change")
        verbose_name_plural = _("suggested changes")

    def __str__(self) -> str:
        return f"Change to {self.asset}"


class Event(TimeStampedModel):
    """Something happening at an asset or at its own place; repeats weekly or monthly."""

    class Recurrence(models.TextChoices):
        NONE = "none", _("Does not repeat")
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("where"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    zone = models.ForeignKey(
        "zones.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    recurrence = models.CharField(
        _("repeats"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE
    )
    repeat_until = models.DateField(_("repeats until"), null=True, blank=True)
    booking_url = models.URLField(_("booking link"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Asset.Status.choices,
        default=Asset.Status.PENDING,
        db_index=True,
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    contributor_email = models.EmailField(_("contributor's email"), blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["status", "zone", "end"], name="event_status_zone_end_idx")]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assets:event-detail", kwargs={"pk": self.pk})


class PublicDataVersion(models.Model):
    """A token that changes whenever anything the public asset map shows may have changed.

    The asset map's answer cache (`assets.feature_cache`) is keyed on it, so a cached answer is
    never served after a change. One row (pk 1). Random rather than a counter, so that a value
    never comes back after a rollback, a restored backup or an emptied test database.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("public data version")

    def __str__(self) -> str:
        return self.token

    @classmethod
    def current(cls, *, using: str = "default") -> str | None:
        """The token now, or None when there is no row (then nothing may be cached)."""
        # Read on every request for the map's answers: plain SQL costs a fraction of the ORM's
        # query building, which would be most of the time a cached answer takes.
        connection = connections[using]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('token')} FROM {quote(cls._meta.db_table)} "  # noqa: S608
                f"WHERE {quote(cls._meta.pk.column)} = 1"
            )
            row = cursor.fetchone()
        return row[0] if row else None

    @classmethod
    def bump(cls, *, using: str = "default") -> None:
        """Give the version a new token, in the caller's transaction.

        The new token is seen exactly when the change is, and a rollback takes both back. On
        PostgreSQL the row stays locked until the writer's transaction ends, so writers of
        asset data take turns there (SQLite lets one writer at a time anyway); such writes are
        few: moderation, contributions, imports, admin edits.
        """
        token = uuid.uuid4().hex
        versions = cls.objects.using(using)
        if not versions.filter(pk=1).update(token=token):
            _, created = versions.get_or_create(pk=1, defaults={"token": token})
            if not created:  # another writer made the row in the meantime
                versions.filter(pk=1).update(token=token)
