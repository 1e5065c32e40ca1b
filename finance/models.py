"""Finance (R50-R57): project budget lines by cost category, lecture fees, commitments from contracts, actual
spending, settlement statements (结算单) per contract × project × county × school year with their adjustments,
invoices, payments in tranches.

States and transitions are declared here; services.py fires them through backoffice.workflow.fire. Every money
table keeps its row history (django-simple-history) for "as of" questions in reconciliation.
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from backoffice.models import Audited, Logged
from backoffice.workflow import permission
from finance import permissions as p
from tendering.models import SettlementBasis  # noqa: F401 - R52: the basis is a term of the contract

MONEY = {"max_digits": 14, "decimal_places": 2}


class CostCategory(models.TextChoices):
    """R51: online categories, then the offline ones that share the per-day cap."""

    TEACHING_STAFF = "teaching_staff", _("Teaching staff")
    COURSE_USE = "course_use", _("Course use")
    DATA_TRAFFIC = "data_traffic", _("Data traffic")
    PLATFORM = "platform", _("Technical platform")
    LEARNING_SUPPORT = "learning_support", _("Learning support")
    MANAGEMENT = "management", _("Organisation and management")
    LODGING = "lodging", _("Lodging")
    MEALS = "meals", _("Meals")
    VENUE = "venue", _("Venue")
    MATERIALS = "materials", _("Materials")
    TRANSPORT = "transport", _("Local transport")
    OTHER = "other", _("Other")


# R51: these share the per-trainee-day cap of offline training.
OFFLINE_CAPPED = (CostCategory.LODGING, CostCategory.MEALS, CostCategory.VENUE, CostCategory.MATERIALS,
                  CostCategory.TRANSPORT, CostCategory.OTHER)


class Payer(models.TextChoices):
    """R50: who bears a fee line. There is deliberately no 'teacher'; a check constraint backs that up."""

    CENTRAL_SUBSIDY = "central_subsidy", _("Central subsidy")
    PROVINCE = "province", _("Province funds")


R50_NO_TEACHER = Q(payer__in=Payer.values)


class BudgetLine(Audited):
    """One cost category of a project's budget (R51)."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="budget_lines")
    category = models.CharField(_("cost category"), max_length=32, choices=CostCategory.choices)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    payer = models.CharField(_("payer"), max_length=32, choices=Payer.choices, default=Payer.CENTRAL_SUBSIDY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project", "category"]
        constraints = [
            models.UniqueConstraint(fields=["project", "category"], name="budget_line_one_per_category"),
            models.CheckConstraint(condition=R50_NO_TEACHER, name="r50_budget_line_no_teacher_payer"),
        ]

    def __str__(self):
        return f"{self.project} · {self.get_category_display()}"

    audit_region = "project.plan.province"  # where its audit events are filed (R2, R3)


class LecturerLevel(models.TextChoices):
    """R51 lecture-fee levels (the cap per hour is a setting)."""

    ASSOCIATE = "associate", _("Associate professor level")
    FULL = "full", _("Full professor level")
    ACADEMICIAN = "academician", _("Academician or national expert")


class LectureFee(Logged):
    """A lecturer's fee inside the teaching-staff line; outside the offline cap but capped per hour (R51)."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="lecture_fees")
    lecturer = models.CharField(_("lecturer"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=LecturerLevel.choices)
    hours = models.PositiveIntegerField(_("hours"), validators=[MinValueValidator(1)])
    half_days = models.PositiveIntegerField(_("half days"), validators=[MinValueValidator(1)])
    rate = models.DecimalField(_("fee per hour"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    amount = models.DecimalField(_("amount"), **MONEY)
    payer = models.CharField(_("payer"), max_length=32, choices=Payer.choices, default=Payer.CENTRAL_SUBSIDY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lecture fee")
        verbose_name_plural = _("lecture fees")
        ordering = ["project", "pk"]
        constraints = [models.CheckConstraint(condition=R50_NO_TEACHER, name="r50_lecture_fee_no_teacher_payer")]

    def __str__(self):
        return f"{self.lecturer} · {self.project}"

    audit_region = "project.plan.province"  # where its audit events are filed (R2, R3)


class Commitment(Logged):
    """The part of a project's budget bound by a signed contract (unit price × hours × quota)."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="commitments")
    contract = models.ForeignKey("tendering.Contract", verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="commitments")
    amount = models.DecimalField(_("amount committed"), **MONEY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["project", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "contract"], name="commitment_one_per_contract")]

    def __str__(self):
        return f"{self.contract} · {self.project}"

    audit_region = "project.plan.province"  # where its audit events are filed (R2, R3)


class Expenditure(Logged):
    """Actual spending outside the institution's fee (which is counted from payments)."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="expenditures")
    category = models.CharField(_("cost category"), max_length=32, choices=CostCategory.choices)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    spent_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200)
    payer = models.CharField(_("payer"), max_length=32, choices=Payer.choices, default=Payer.CENTRAL_SUBSIDY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["project", "-spent_on", "-pk"]
        constraints = [models.CheckConstraint(condition=R50_NO_TEACHER, name="r50_expenditure_no_teacher_payer")]

    def __str__(self):
        return f"{self.project} · {self.description}"

    audit_region = "project.plan.province"  # where its audit events are filed (R2, R3)


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed by the institution")
    APPROVED = "approved", _("Approved by finance")
    PAID = "paid", _("Paid")


institution_of_statement = permission(p.institution_of_statement)
finance_of_statement = permission(p.finance_of_statement)

# R53: once a statement leaves draft its figures never change.
LOCKED_STATES = (StatementStatus.CONFIRMED, StatementStatus.APPROVED, StatementStatus.PAID)


class SettlementStatement(ConcurrentTransitionMixin, Audited):
    """结算单: what is due for one contract, project, county and school year (R52)."""

    contract = models.ForeignKey("tendering.Contract", verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="statements")
    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="statements")
    county = models.ForeignKey("backoffice.Region", verbose_name=_("county"), on_delete=models.PROTECT,
                               related_name="statements")
    school_year = models.PositiveSmallIntegerField(_("school year"), help_text=_("The year the school year starts."))
    basis = models.CharField(_("settlement basis"), max_length=16, choices=SettlementBasis.choices)
    unit_price = models.DecimalField(_("unit price per trainee-hour"), **MONEY)
    hours = models.PositiveIntegerField(_("training hours"))
    trainees = models.PositiveIntegerField(_("trainees settled"))
    amount = models.DecimalField(_("amount due"), **MONEY)
    payer = models.CharField(_("payer"), max_length=32, choices=Payer.choices, default=Payer.CENTRAL_SUBSIDY)
    status = FSMField(_("status"), default=StatementStatus.DRAFT, choices=StatementStatus.choices, protected=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # Issue 15: `updated_since` on the API (incremental sync).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")
        ordering = ["contract", "county__code", "project", "school_year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "project", "county", "school_year"],
                                    name="statement_one_per_contract_project_county_year"),
            models.CheckConstraint(condition=R50_NO_TEACHER, name="r50_statement_no_teacher_payer"),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.contract} · {self.county} · {self.school_year_label}"

    audit_region = "county"  # where its audit events are filed (R2, R3)

    @property
    def school_year_label(self) -> str:
        return f"{self.school_year}-{self.school_year + 1}"

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATES

    @transition(field=status, source=StatementStatus.DRAFT, target=StatementStatus.CONFIRMED,
                permission=institution_of_statement, custom={"label": _("Confirm the statement")})
    def confirm(self, *, actor=None, reason=""):
        self.confirmed_at = timezone.now()

    @transition(field=status, source=StatementStatus.CONFIRMED, target=StatementStatus.APPROVED,
                permission=finance_of_statement, custom={"label": _("Approve for payment")})
    def approve(self, *, actor=None, reason=""):
        self.approved_at = timezone.now()

    @transition(field=status, source=StatementStatus.APPROVED, target=StatementStatus.PAID,
                permission=finance_of_statement, custom={"label": _("Paid in full"), "hidden": True})
    def mark_paid(self, *, actor=None, reason=""):
        self.paid_at = timezone.now()


class Adjustment(Logged):
    """R53: a change after confirmation (an outcome corrected, a trainee added), referencing the statement."""

    statement = models.ForeignKey(SettlementStatement, verbose_name=_("statement"), on_delete=models.PROTECT,
                                  related_name="adjustments")
    trainees_delta = models.IntegerField(_("change in trainees"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.TextField(_("reason"))
    created_by = Logged.optional_recorder()  # an automatic adjustment has no recorder
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("adjustment entry")
        verbose_name_plural = _("adjustment entries")
        ordering = ["statement", "created_at", "pk"]

    def __str__(self):
        return f"{self.statement} · {self.amount}"

    audit_region = "statement.county"  # where its audit events are filed (R2, R3)


class Invoice(Audited):
    """发票 uploaded by the institution for a contract and county (R55)."""

    institution = models.ForeignKey("backoffice.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT,
                                    related_name="invoices")
    contract = models.ForeignKey("tendering.Contract", verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="invoices")
    county = models.ForeignKey("backoffice.Region", verbose_name=_("county"), on_delete=models.PROTECT,
                               related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=64)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    issued_on = models.DateField(_("invoice date"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["institution", "number"], name="r55_invoice_number_unique")]

    def __str__(self):
        return f"{self.institution} · {self.number}"

    audit_region = "county"  # where its audit events are filed (R2, R3)


class Tranche(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    INTERIM = "interim", _("Interim")
    FINAL = "final", _("Final")


class Payment(Audited):
    """A tranche paid to the institution under a contract (R54). The advance is paid against the contract before
    training (no statement); interim and final payments go against an approved statement of the contract."""

    contract = models.ForeignKey("tendering.Contract", verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="payments")
    statement = models.ForeignKey(SettlementStatement, verbose_name=_("statement"), on_delete=models.PROTECT,
                                  related_name="payments", null=True, blank=True)
    tranche = models.CharField(_("tranche"), max_length=16, choices=Tranche.choices)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    paid_on = models.DateField(_("payment date"))
    reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    payer = models.CharField(_("payer"), max_length=32, choices=Payer.choices, default=Payer.CENTRAL_SUBSIDY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Issue 15: `updated_since` on the API (incremental sync).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["contract", "paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=R50_NO_TEACHER, name="r50_payment_no_teacher_payer"),
            # R54: the advance hangs on the contract alone; interim and final on a statement.
            models.CheckConstraint(
                condition=(Q(tranche=Tranche.ADVANCE, statement__isnull=True)
                           | (~Q(tranche=Tranche.ADVANCE) & Q(statement__isnull=False))),
                name="r54_advance_on_contract_others_on_statement"),
        ]

    def __str__(self):
        return f"{self.contract} · {self.get_tranche_display()} {self.amount}"

    audit_region = ("statement.county", "contract.lot.tender.province")  # where its audit events are filed (R2, R3)
