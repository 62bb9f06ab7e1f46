from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from peoplezones.core.models import TimeStampedModel


class SteeringGroup(TimeStampedModel):
    """A zone's formal steering group of residents and the organisations that serve the area."""

    zone = models.OneToOneField(
        "zones.Zone",
        verbose_name=_("zone"),
        on_delete=models.CASCADE,
        related_name="steering_group",
    )
    name = models.CharField(_("name"), max_length=160)
    terms_of_reference = models.TextField(_("terms of reference"), blank=True)
    action_prefix = models.CharField(
        _("action reference prefix"),
        max_length=6,
        help_text=_("Letters before each action's number, e.g. BF for BF-017."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("steering group")
        verbose_name_plural = _("steering groups")

    def __str__(self) -> str:
        return self.name


class Member(TimeStampedModel):
    """Someone on a steering group, with or without an account.

    Names are private unless the person agreed to be named in published minutes; the public
    sees the chair's role and the group's make-up by sector and area, never a list of people.
    """

    class Sector(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        COMMUNITY = "community", _("Community organisation")
        POLICE = "police", _("Police")
        FIRE = "fire", _("Fire and rescue")
        COUNCIL = "council", _("Council")
        HEALTH = "health", _("Health")
        PROBATION = "probation", _("Probation")
        EDUCATION = "education", _("Education")
        FAITH = "faith", _("Faith")
        BUSINESS = "business", _("Business")
        OTHER = "other", _("Other")

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")
        PARTNER = "partner", _("Partner")

    group = models.ForeignKey(
        SteeringGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="steering_memberships",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email (for reminders; private)"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=160, blank=True)
    sector = models.CharField(_("sector"), max_length=12, choices=Sector.choices)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    area = models.CharField(
        _("area within the zone"), max_length=80, blank=True, help_text=_("e.g. Whitwick.")
    )
    agreed_to_be_named = models.BooleanField(
        _("agreed to be named in published minutes"), default=False
    )
    joined = models.DateField(_("joined"), null=True, blank=True)
    left = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        ordering = ["group", "name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.left is None

    @property
    def may_be_named(self) -> bool:
        """Residents are named in public only with their agreement; partners by their role."""
        return self.agreed_to_be_named or self.sector != self.Sector.RESIDENT


class Meeting(TimeStampedModel):
    """A (usually monthly) steering group meeting. Its minutes follow `governance.workflow`."""

    class MinutesStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CIRCULATED = "circulated", _("Circulated to members")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    group = models.ForeignKey(
        SteeringGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="meetings"
    )
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("online meeting link"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Sanitised HTML."))
    decisions = models.TextField(_("decisions"), blank=True)
    minutes_status = models.CharField(
        _("minutes"),
        max_length=12,
        choices=MinutesStatus.choices,
        default=MinutesStatus.DRAFT,
        db_index=True,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-starts"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.group} – {self.starts:%d %B %Y}"


class AgendaItem(TimeStampedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    owner = models.CharField(_("who leads it"), max_length=150, blank=True)
    minutes_allotted = models.PositiveSmallIntegerField(
        _("minutes allotted"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    themes = models.ManyToManyField("zones.Theme", verbose_name=_("themes"), blank=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class Attendance(TimeStampedModel):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        APOLOGIES = "apologies", _("Apologies")
        ABSENT = "absent", _("Absent")
        GUEST = "guest", _("Guest")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="attendance"
    )
    guest_name = models.CharField(_("guest's name"), max_length=150, blank=True)
    guest_organisation = models.CharField(_("guest's organisation"), max_length=160, blank=True)
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)

    class Meta:
        ordering = ["meeting", "status", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=models.Q(member__isnull=False),
                name="attendance_once_per_member",
            )
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.member or self.guest_name}: {self.get_status_display()}"


class Action(TimeStampedModel):
    """One line of the rolling action log, referenced per zone (e.g. BF-017)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    group = models.ForeignKey(
        SteeringGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="actions"
    )
    number = models.PositiveIntegerField(_("number"))
    description = models.TextField(_("description"))
    owner_member = models.ForeignKey(
        Member,
        verbose_name=_("owner (member)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (account)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="steering_actions",
    )
    owner_text = models.CharField(_("owner (organisation, in words)"), max_length=160, blank=True)
    theme = models.ForeignKey(
        "zones.Theme",
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    raised_at = models.ForeignKey(
        Meeting,
        verbose_name=_("raised at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions_raised",
    )
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reminded_due_on = models.DateField(null=True, blank=True, editable=False)
    reminded_overdue_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="action_number_per_group"),
        ]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        prefix = self.group.action_prefix if self.group_id else "A"
        return f"{prefix}-{self.number:03d}"

    @property
    def owner_name(self) -> str:
        """Who owns it, as staff see it."""
        if self.owner_member_id:
            return self.owner_member.name
        if self.owner_user_id:
            return str(self.owner_user)
        return self.owner_text


class ActionUpdate(TimeStampedModel):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("update"), blank=True)
    status_from = models.CharField(max_length=12, choices=Action.Status.choices, blank=True)
    status_to = models.CharField(max_length=12, choices=Action.Status.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("action update")
        verbose_name_plural = _("action updates")

    def __str__(self) -> str:
        return f"{self.action}: {self.text[:40]}"


class Initiative(TimeStampedModel):
    """Something the programme runs in one or more zones, with milestones and counted outputs."""

    class Kind(models.TextChoices):
        PAYBACK = "payback", _("Community Payback project")
        LEADERSHIP = "leadership", _("Community Leadership Programme cohort")
        MINI_POLICE = "mini_police", _("Mini Police")
        MENTAL_HEALTH = "mental_health", _("Mental Health Friendly Places")
        CRIMESTOPPERS = "crimestoppers", _("Crimestoppers campaign")
        ADULT_EDUCATION = "adult_education", _("Adult education")
        PUBLIC_HEALTH = "public_health", _("Public health pilot")
        EVENT = "event", _("Event")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        PLANNED = "planned", _("Planned")
        PILOT = "pilot", _("Pilot")
        LIVE = "live", _("Live")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    zones = models.ManyToManyField(
        "zones.Zone", verbose_name=_("zones"), related_name="initiatives"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    starts = models.DateField(_("starts"), null=True, blank=True)
    ends = models.DateField(_("ends"), null=True, blank=True)
    themes = models.ManyToManyField("zones.Theme", verbose_name=_("themes"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")

    def __str__(self) -> str:
        return self.title


class Milestone(TimeStampedModel):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["initiative", "due", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class Output(TimeStampedModel):
    """A counted result, e.g. 1,700 hours of payback work or 90 pupils."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="outputs")
    label = models.CharField(_("what was counted"), max_length=160)
    value = models.DecimalField(_("number"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)

    class Meta:
        ordering = ["initiative", "pk"]
        verbose_name = _("output")
        verbose_name_plural = _("outputs")

    def __str__(self) -> str:
        return f"{self.value} {self.unit} {self.label}".strip()


class Participant(TimeStampedModel):
    """Someone on a leadership programme cohort: private; the public sees counts only."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="participants"
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    completed = models.BooleanField(_("completed the programme"), default=False)
    joined_leaders_network = models.BooleanField(
        _("joined the community leaders network"), default=False
    )

    class Meta:
        ordering = ["initiative", "name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.name
