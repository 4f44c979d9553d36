"""What Gentling stores. Rules live in the domain core; these are the records.

Every record belongs to a household, and every public identifier is an
unguessable token (`public_id`), never the database key.
"""

from __future__ import annotations

import secrets
from datetime import time as dt_time

from django.conf import settings
from django.db import models

from . import clock
from .domain import vocab

NAME_MAX = 100
NOTES_MAX = 2000


def new_public_id() -> str:
    """12 unguessable URL-safe characters, never starting with '-' or '_' (a leading
    '-' would read as an option on the command line)."""
    while True:
        token = secrets.token_urlsafe(9)
        if token[0].isalnum():
            return token


def new_invite_token() -> str:
    return secrets.token_urlsafe(24)


def _choices(mapping: dict[str, str]) -> list[tuple[str, str]]:
    return list(mapping.items())


class Household(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=NAME_MAX)
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        CARER = "carer", "Carer"
        VIEWER = "viewer", "Viewer"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "keeper"], name="one_membership_per_keeper")]

    @property
    def can_write(self) -> bool:
        """Owners and carers change the household's records; viewers only look. Decided here only."""
        return self.role in (self.Role.OWNER, self.Role.CARER)

    @property
    def is_owner(self) -> bool:
        """Owners alone manage the household: its members, invitations, backups, overrides. Decided here only."""
        return self.role == self.Role.OWNER


class Cage(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="cages")
    name = models.CharField(max_length=NAME_MAX)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "name"], name="cage_name_unique_in_household")]

    def __str__(self) -> str:
        return self.name


class AnimalQuerySet(models.QuerySet):
    def active(self):
        """The animals still in the household: not adopted, not passed away."""
        return self.filter(status=Animal.Status.ACTIVE)


class Animal(models.Model):
    class Status(models.TextChoices):
        """As `vocab.STATUSES` names them (a test keeps the two equal)."""

        ACTIVE = "active", "Active"
        ADOPTED = "adopted", "Adopted"
        PASSED_AWAY = "passed_away", "Passed away"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="animals")
    species = models.CharField(max_length=10, choices=_choices(vocab.SPECIES))
    name = models.CharField(max_length=NAME_MAX)
    sex = models.CharField(max_length=10, choices=_choices(vocab.SEXES), default="unknown")
    birth_date = models.DateField(null=True, blank=True)
    birth_date_estimated = models.BooleanField(default=False)
    source = models.CharField(max_length=16, choices=_choices(vocab.SOURCES))
    arrival_date = models.DateField()
    cage = models.ForeignKey(Cage, null=True, blank=True, on_delete=models.SET_NULL, related_name="animals")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    extended_hold_opt_in = models.BooleanField(default=False)
    neutered_on = models.DateField(null=True, blank=True)
    litter = models.ForeignKey("Litter", null=True, blank=True, on_delete=models.SET_NULL, related_name="pups")
    notes = models.TextField(blank=True, max_length=NOTES_MAX)
    created_at = models.DateTimeField(default=clock.now)
    # The protocol the animal follows: empty for the handling ladder of its species; else the id
    # of a shipped lab protocol, or of the household's own (then at the version `household_protocol`).
    protocol = models.CharField(max_length=64, blank=True, default="")
    household_protocol = models.ForeignKey(
        "HouseholdProtocol", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    # Set by a move to another protocol: the (local) day and the step it started on it.
    protocol_since = models.DateField(null=True, blank=True)
    protocol_start_step = models.CharField(max_length=48, blank=True, default="")

    objects = AnimalQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["household", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def has_left(self) -> bool:
        """Adopted or passed away: in no new session (its past ones stay its history)."""
        return self.status != self.Status.ACTIVE


def has_illness_sign(names) -> bool:
    return bool(set(names or ()) & vocab.HEALTH_SIGNS)


class IllnessFlagged(models.Model):
    """A record whose observed signs may include an illness sign, flagged in its own column.

    Quarantine status needs only the days with an illness sign; the flag lets it
    read those few rows instead of every session. It is set on every save and
    every bulk_create, so no write path can forget it."""

    SIGNS_FIELD = ""
    illness = models.BooleanField(default=False, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.illness = has_illness_sign(getattr(self, self.SIGNS_FIELD))
        if kwargs.get("update_fields") is not None and self.SIGNS_FIELD in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "illness"}
        super().save(*args, **kwargs)


class IllnessFlaggedManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.illness = has_illness_sign(getattr(obj, obj.SIGNS_FIELD))
        return super().bulk_create(objs, *args, **kwargs)


class Session(IllnessFlagged):
    """One animal's part of one sitting. Animals handled together share a `sitting`."""

    SIGNS_FIELD = "observations"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    animal = models.ForeignKey(Animal, on_delete=models.CASCADE, related_name="sessions")
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sitting = models.CharField(max_length=16, default=new_public_id)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    day = models.DateField(help_text="The household's local calendar day of started_at.")
    activities = models.JSONField(default=list)
    holds = models.JSONField(default=list, help_text="Seconds of each pick-up, in order.")
    observations = models.JSONField(default=list)
    extended_hold_seconds = models.PositiveIntegerField(null=True, blank=True)
    extended_hold_end = models.CharField(max_length=32, blank=True, default="")
    measures = models.JSONField(default=dict, help_text="The protocol's measures: name -> number.")
    # The protocol (and version) the session was logged under: a later version never rewrites it.
    protocol = models.CharField(max_length=64, blank=True, default="")
    protocol_version = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True, max_length=NOTES_MAX)
    alerts = models.JSONField(default=list, help_text="The guardrail alerts the keeper was shown.")
    created_at = models.DateTimeField(default=clock.now)

    objects = IllnessFlaggedManager()

    class Meta:
        ordering = ["started_at", "public_id"]
        indexes = [
            models.Index(fields=["animal", "day"]),
            models.Index(fields=["animal", "day"], condition=models.Q(illness=True), name="session_illness_days"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gt=models.F("started_at")), name="session_ends_after_start"
            ),
        ]

    @property
    def duration_seconds(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds())


class ProgressSnapshot(models.Model):
    """The engine's checkpoint for one animal: its state at the end of `checkpoint_day`.

    Only a cache (`gentling verify` checks it against a full replay). A read
    resumes from it and replays only the newer records; a write that touches a
    record on or before `checkpoint_day` drops it, and every write bumps
    `revision`, so a read that raced a write never stores a stale checkpoint
    (it saves only if the revision it started from is still current).
    """

    animal = models.OneToOneField(Animal, on_delete=models.CASCADE, related_name="snapshot")
    revision = models.PositiveBigIntegerField(default=0)
    checkpoint_day = models.DateField(null=True, blank=True)
    checkpoint_key = models.CharField(max_length=64, blank=True)
    checkpoint = models.JSONField(null=True, blank=True)


class OpenSession(models.Model):
    """A session in progress: its timer is the stored start time, so a reload or a
    second device shows the same elapsed time. Saving turns it into Sessions."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="open_sessions")
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    animals = models.ManyToManyField(Animal, related_name="+")
    started_at = models.DateTimeField(default=clock.now)
    draft = models.JSONField(default=dict, help_text="What was tapped so far, so a reload or another device keeps it.")


class Photo(models.Model):
    """An animal's profile photo, stored in the database so backups and both
    database engines carry it with no separate file store."""

    animal = models.OneToOneField(Animal, on_delete=models.CASCADE, related_name="photo")
    content_type = models.CharField(max_length=32)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField(default=clock.now)


class Invite(models.Model):
    """An invitation link to join a household with a role. The token is the secret;
    a link works until it is used, revoked or 14 days old."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invites")
    token = models.CharField(max_length=48, unique=True, default=new_invite_token, editable=False)
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)


class Quarantine(models.Model):
    """A new animal's quarantine. Its end is derived (protocol days, extended by
    illness signs), never stored, so it can always be recomputed."""

    AIR_SPACES = [
        ("separate_building", "A different building"),
        ("another_room", "Another room"),
        ("same_room", "The same room"),
    ]
    animal = models.ForeignKey(Animal, on_delete=models.CASCADE, related_name="quarantines")
    started_on = models.DateField()
    air_space = models.CharField(max_length=20, choices=AIR_SPACES, default="another_room")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-started_on", "-id"]


class HealthCheck(IllnessFlagged):
    """A daily health check: the signs seen (empty: all well)."""

    SIGNS_FIELD = "signs"

    animal = models.ForeignKey(Animal, on_delete=models.CASCADE, related_name="health_checks")
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    day = models.DateField()
    signs = models.JSONField(default=list)
    notes = models.TextField(blank=True, max_length=NOTES_MAX)
    created_at = models.DateTimeField(default=clock.now)

    objects = IllnessFlaggedManager()

    class Meta:
        ordering = ["day", "id"]
        indexes = [models.Index(fields=["animal", "day"], condition=models.Q(illness=True), name="check_illness_days")]


class CageStay(models.Model):
    """Who lived in which cage, when. An override of the housing guardrail keeps its reason."""

    animal = models.ForeignKey(Animal, on_delete=models.CASCADE, related_name="cage_stays")
    cage = models.ForeignKey(Cage, on_delete=models.CASCADE, related_name="stays")
    moved_in_on = models.DateField()
    moved_out_on = models.DateField(null=True, blank=True)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    override_reason = models.TextField(blank=True, max_length=NOTES_MAX)
    overridden = models.JSONField(default=list, help_text="The refusals an owner overrode.")

    class Meta:
        ordering = ["moved_in_on", "id"]


class Introduction(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="introductions")
    newcomers = models.ManyToManyField(Animal, related_name="introductions_as_newcomer")
    residents = models.ManyToManyField(Animal, related_name="introductions_as_resident")
    cage = models.ForeignKey(Cage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_on = models.DateField()
    cage_cleaned_on = models.DateField(null=True, blank=True)
    finished_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_on", "-id"]


class IntroductionMeeting(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="meetings")
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    day = models.DateField()
    duration_seconds = models.PositiveIntegerField()
    behaviours = models.JSONField(default=list)
    notes = models.TextField(blank=True, max_length=NOTES_MAX)

    class Meta:
        ordering = ["started_at", "id"]


class Litter(models.Model):
    """Pups born at home, socialized together from birth."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="litters")
    name = models.CharField(max_length=NAME_MAX)
    species = models.CharField(max_length=10, choices=_choices(vocab.SPECIES))
    birth_date = models.DateField()
    mother = models.ForeignKey(Animal, null=True, blank=True, on_delete=models.SET_NULL, related_name="litters_born")
    separated_on = models.DateField(null=True, blank=True, help_text="When the sexes were separated.")
    notes = models.TextField(blank=True, max_length=NOTES_MAX)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 hash is stored; the token itself is shown once."""

    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=NAME_MAX)
    prefix = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class CalendarFeed(models.Model):
    """A keeper's iCalendar feed of one household's plan, behind an unguessable token
    (calendar apps cannot log in). Revoking it and making a new one changes the URL."""

    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=48, unique=True, default=new_invite_token, editable=False)
    created_at = models.DateTimeField(default=clock.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The feed as last built, and the fingerprint of what it was built from (services/calendar.py).
    cached_key = models.CharField(max_length=64, blank=True)
    cached_body = models.BinaryField(blank=True, default=b"")


class IdempotencyKey(models.Model):
    """An API write sent with an `Idempotency-Key` header, or a web form with its one-time token,
    and the answer it got (services/idempotency.py): the same key again gets that answer, and
    nothing is stored twice."""

    scope = models.CharField(max_length=80, help_text="Whose key: a keeper (API or web), or an API token's hash.")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True)
    location = models.CharField(max_length=2000, blank=True, help_text="Where a web form's redirect sent the keeper.")
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_answer_per_idempotency_key")]


class AttentionDismissed(models.Model):
    """A keeper's "not today" on one item of what needs attention (services/attention.py): hidden
    for that keeper on that household day, and back the next day if it still holds."""

    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80, help_text="The item: its rule and what it is about.")
    day = models.DateField(help_text="The household's day it is dismissed for.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["keeper", "household", "key", "day"], name="dismissed_once_a_day")
        ]


class Reminders(models.Model):
    """A keeper's reminders for one household (services/reminders.py): when, how, about whom."""

    class Channel(models.TextChoices):
        NONE = "none", "No reminders"
        EMAIL = "email", "Email"
        PUSH = "push", "A notification on my phone"
        BOTH = "both", "Email and a notification"

    class Scope(models.TextChoices):
        ALL = "all", "Every animal in the household"
        MINE = "mine", "Only the animals I care for"

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="reminders")
    remind_at = models.TimeField(default=dt_time(18, 0), help_text="In the keeper's own time zone.")
    time_zone = models.CharField(max_length=64, blank=True, help_text="The keeper's; empty: the household's.")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.NONE)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.ALL)
    cares_for = models.ManyToManyField(Animal, blank=True, related_name="+")


class ReminderSent(models.Model):
    """One day's reminder to one keeper by one channel, claimed before it is sent: the unique row
    is what makes `gentling remind` send nothing twice, however often and however many run."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="The keeper's local day it reminds of.")
    channel = models.CharField(max_length=8)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SENDING)
    claimed_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "day", "channel"], name="one_reminder_a_day_per_channel")
        ]


class PushSubscription(models.Model):
    """One device's Web Push subscription, as its browser gave it (services/push.py)."""

    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=2000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=clock.now)


class VapidKey(models.Model):
    """The server's Web Push key pair, made on first use (services/push.py): one row."""

    private_key = models.TextField(help_text="PEM; as secret as the database.")
    public_key = models.CharField(max_length=120, help_text="For the browser: uncompressed point, base64url.")
    created_at = models.DateTimeField(default=clock.now)


class Cohort(models.Model):
    """A named group of a household's animals: a litter, an intake batch, a study arm. An animal
    may be in several (services/cohorts.py)."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=200)
    animals = models.ManyToManyField(Animal, blank=True, related_name="cohorts")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["household", "name"], name="cohort_name_unique_in_household")]


class HouseholdProtocol(models.Model):
    """A protocol a household uploaded, at one version. A new upload of the same id is a new
    version; old versions stay, because animals and sessions keep the version they used."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="protocols")
    protocol_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="The TOML file as uploaded.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["protocol_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["household", "protocol_id", "version"], name="one_protocol_version"),
        ]


class ProtocolMove(models.Model):
    """An animal moved from one protocol to another (or to a new version): kept as its record."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    animal = models.ForeignKey(Animal, on_delete=models.CASCADE, related_name="protocol_moves")
    moved_at = models.DateTimeField()
    from_protocol = models.CharField(max_length=64, blank=True)
    from_version = models.PositiveIntegerField(default=0)
    from_step = models.CharField(max_length=48)
    to_protocol = models.CharField(max_length=64, blank=True)
    to_version = models.PositiveIntegerField(default=0)
    to_step = models.CharField(max_length=48)
    how = models.CharField(max_length=16, choices=[("mapped", "Mapped"), ("restarted", "Restarted")])
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["moved_at", "id"]
