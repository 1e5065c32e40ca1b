from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from backoffice.identity import mask_id_number

from .organisations import SchoolStage


class Subject(models.TextChoices):
    CHINESE = "chinese", _("Chinese")
    MATHS = "maths", _("Mathematics")
    ENGLISH = "english", _("English")
    PHYSICS = "physics", _("Physics")
    CHEMISTRY = "chemistry", _("Chemistry")
    BIOLOGY = "biology", _("Biology")
    HISTORY = "history", _("History")
    GEOGRAPHY = "geography", _("Geography")
    MORALITY = "morality", _("Morality and law")
    SCIENCE = "science", _("Science")
    MUSIC = "music", _("Music")
    PE = "pe", _("Physical education")
    ART = "art", _("Art")
    IT = "it", _("Information technology")
    PSYCHOLOGY = "psychology", _("Mental health")
    PRESCHOOL = "preschool", _("Preschool education")
    SPECIAL = "special", _("Special education")
    OTHER = "other", _("Other")


class TeacherPost(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    HEAD_TEACHER = "head_teacher", _("Class head teacher")
    PRINCIPAL = "principal", _("Principal")
    TRAINER = "trainer", _("Teacher trainer")


class TeacherTitle(models.TextChoices):
    NONE = "none", _("No title")
    THIRD = "third", _("Third-grade teacher")
    SECOND = "second", _("Second-grade teacher")
    FIRST = "first", _("First-grade teacher")
    SENIOR = "senior", _("Senior teacher")
    PROFESSOR = "professor", _("Professor-level senior teacher")


# The registry list's order: by county and school (their ids follow the codes' load order), then name.
TEACHER_LIST_ORDER = ("region_id", "school_id", "name", "id")


class Teacher(models.Model):
    """The real-name record of a teacher (参训数据库), keyed by ID number."""

    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=64)
    school = models.ForeignKey(
        "backoffice.Organisation", verbose_name=_("school"), on_delete=models.PROTECT, related_name="teachers",
        limit_choices_to={"kind": "school"},
    )
    region = models.ForeignKey(
        "backoffice.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="teachers",
        help_text=_("The school's county; kept on the teacher so county lists need no join."),
    )
    stage = models.CharField(_("school stage"), max_length=16, choices=SchoolStage.choices)
    subject = models.CharField(_("subject"), max_length=16, choices=Subject.choices)
    post = models.CharField(_("post"), max_length=16, choices=TeacherPost.choices, default=TeacherPost.TEACHER)
    title = models.CharField(_("professional title"), max_length=16, choices=TeacherTitle.choices, default=TeacherTitle.NONE)
    teaching_since = models.PositiveSmallIntegerField(_("teaching since (year)"))
    is_rural = models.BooleanField(_("rural teacher"), default=False)
    is_priority_county = models.BooleanField(_("in a national key county"), default=False)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # R3: eligibility-relevant fields keep their history ("as of" queries).
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["region__code", "school__name", "name"]
        indexes = [
            # The registry list's order (TEACHER_LIST_ORDER) alone and after the stage filter (issue 13).
            models.Index(fields=["region", "school", "name", "id"], name="teacher_list_order"),
            models.Index(fields=["stage", "region", "school", "name", "id"], name="teacher_list_stage"),
            # Names of one or two characters are searched from the start (backoffice.search).
            models.Index(fields=["name"], name="teacher_name_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def years_of_teaching(self) -> int:
        return max(timezone.localdate().year - self.teaching_since, 0)
