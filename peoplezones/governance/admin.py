from django.contrib import admin

from peoplezones.governance.models import (
    Action,
    ActionUpdate,
    AgendaItem,
    Attendance,
    Initiative,
    Meeting,
    Member,
    Milestone,
    Output,
    Participant,
    SteeringGroup,
)


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ["name", "organisation", "sector", "role", "area", "agreed_to_be_named", "left"]


@admin.register(SteeringGroup)
class SteeringGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "zone", "action_prefix"]
    inlines = [MemberInline]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["group", "starts", "minutes_status"]
    list_filter = ["group", "minutes_status"]
    readonly_fields = ["minutes_status", "approved_by", "approved_at", "published_at"]
    inlines = [AgendaItemInline, AttendanceInline]


class ActionUpdateInline(admin.TabularInline):
    model = ActionUpdate
    extra = 0
    readonly_fields = ["created", "author", "status_from", "status_to"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "group", "status", "due"]
    list_filter = ["group", "status"]
    search_fields = ["description", "owner_text"]
    list_select_related = ["group"]
    inlines = [ActionUpdateInline]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class OutputInline(admin.TabularInline):
    model = Output
    extra = 0


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status"]
    list_filter = ["kind", "status", "zones"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [MilestoneInline, OutputInline, ParticipantInline]


admin.site.register(Member)
