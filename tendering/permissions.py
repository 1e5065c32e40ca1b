"""Who may act on what in tendering (R2): role AND scope, as `rules` predicates. Transitions, views, templates
and services all ask these (views `user.has_perm("tendering.…", obj)`, templates `{% has_perm %}`)."""
import rules

from backoffice.models import Role
from backoffice.permissions import can_write, has_role, in_region_of, is_superuser, owned_by

is_tender_staff = has_role(Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF)
is_department = has_role(Role.PROVINCE_STAFF)
is_institution = has_role(Role.INSTITUTION_STAFF)
is_expert = has_role(Role.EXPERT)
# Who reads the office pages of tenders (the selectors narrow it to the reader's region, R2).
is_tender_reader = has_role(Role.PROVINCE_STAFF, Role.PROJECT_OFFICE_STAFF, Role.MINISTRY_STAFF, Role.AUDITOR)


@rules.predicate
def is_self(user, obj):
    return obj is not None and getattr(obj, "pk", None) == user.pk


# -- object predicates: the office of the tender's province runs it; the department decides --------------------
manages_tender = is_superuser | (is_tender_staff & can_write & in_region_of("province"))
decides_tender = is_superuser | (is_department & can_write & in_region_of("province"))
manages_lot = is_superuser | (is_tender_staff & can_write & in_region_of("tender.province"))
decides_lot = is_superuser | (is_department & can_write & in_region_of("tender.province"))
manages_question = is_superuser | (is_tender_staff & can_write & in_region_of("lot.tender.province"))
manages_contract = is_superuser | (is_tender_staff & can_write & in_region_of("lot.tender.province"))
# R23: only the bidder touches its bid before the opening; the office moves it only through the opening.
owns_bid = is_institution & can_write & owned_by("institution")
runs_bid_tender = is_superuser | (is_tender_staff & can_write & in_region_of("lot.tender.province"))


@rules.predicate
def bid_opened(user, bid) -> bool:
    return bid is not None and not bid.lot.tender.is_sealed


# R23: the bidder reads its own bid at any time; whoever reads the tender, only once it is opened.
reads_bid_content = (is_institution & owned_by("institution")) | bid_opened


@rules.predicate
def no_object(user, obj=None):
    return obj is None


# R23: who is shown that an opening was stopped because a bid would not unseal: those who run tenders, for a given
# tender only in its province (without an object, the selectors narrow the alerts to the reader's area).
sees_opening_alerts = is_superuser | (is_tender_staff & (no_object | in_region_of("province")))

rules.add_perm("tendering.view_tenders", is_superuser | is_tender_reader)
rules.add_perm("tendering.create_tender", is_superuser | (is_tender_staff & can_write))
rules.add_perm("tendering.manage_tender", manages_tender)
rules.add_perm("tendering.see_opening_alerts", sees_opening_alerts)
rules.add_perm("tendering.manage_lot", manages_lot)
rules.add_perm("tendering.answer_question", manages_question)
rules.add_perm("tendering.change_contract", manages_contract)
rules.add_perm("tendering.use_portal", is_institution)
rules.add_perm("tendering.lodge_question", is_institution & can_write)
rules.add_perm("tendering.edit_institution_profile", is_institution & can_write)
rules.add_perm("tendering.edit_expert_profile", is_superuser | (is_tender_staff & can_write) | is_self)
rules.add_perm("tendering.score_bids", is_expert)
