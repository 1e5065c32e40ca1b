"""The one answer to "what may this user see and act on" (R2).

Government roles see their organisation's region and everything under it (the ministry sees all);
schools and institutions see their own organisation; experts see only what is assigned to them,
which the selector of each workflow decides; auditors read their region and change nothing.
Every selector, admin page, export and API read goes through `scope_for(user)`.
"""
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from backoffice.models import (
    ORGANISATION_ROLES,
    READ_ONLY_ROLES,
    REGION_ROLES,
    Organisation,
    Region,
    Role,
    Teacher,
)

ALL = "all"
REGION = "region"
ORGANISATION = "organisation"
ASSIGNED = "assigned"
NONE = "none"
# Who an organisation scope reads for (Scope.audience): a school its own teachers, an institution its contracts.
SCHOOL = "school"
INSTITUTION = "institution"


@dataclass(frozen=True)
class Scope:
    user: object
    kind: str
    region_prefix: str = ""
    organisation_id: int | None = None
    read_only: bool = False
    audience: str = ""  # SCHOOL or INSTITUTION for an organisation scope

    # -- queryset filters -------------------------------------------------
    def filter(self, qs: QuerySet, *, region: str | None = None, organisation: str | None = None,
               school: str | None = None, institution: str | None = None) -> QuerySet:
        """Restrict `qs` by the lookup path to its Region (`region`) and/or its Organisation (`organisation`).

        A model reachable by both is visible to government staff through the region and to schools and
        institutions through the organisation; `school` and `institution` give a path for one audience only
        (a school reads through the teacher's school, an institution through the project's institution).
        """
        if self.kind == ALL:
            return qs
        cond = self._condition(region, organisation, school, institution)
        return qs.none() if cond is None else qs.filter(cond)

    def q(self, *, region: str | None = None, organisation: str | None = None,
          school: str | None = None, institution: str | None = None) -> Q:
        """The same restriction as a Q object, for OR-ing with assignment conditions."""
        if self.kind == ALL:
            return Q()
        cond = self._condition(region, organisation, school, institution)
        return Q(pk__in=[]) if cond is None else cond

    def _condition(self, region, organisation, school, institution) -> Q | None:
        if self.kind == REGION and region:
            return Q(**{f"{region}__code__startswith": self.region_prefix})
        path = {SCHOOL: school, INSTITUTION: institution}.get(self.audience) or organisation
        if self.kind == ORGANISATION and path:
            return Q(**{f"{path}_id": self.organisation_id})
        return None

    def regions(self, qs: QuerySet | None = None) -> QuerySet:
        qs = Region.objects.all() if qs is None else qs
        if self.kind == ALL:
            return qs
        if self.kind == REGION:
            return qs.filter(code__startswith=self.region_prefix)
        if self.kind == ORGANISATION:
            return qs.filter(organisations__id=self.organisation_id)
        return qs.none()

    def organisations(self, qs: QuerySet | None = None) -> QuerySet:
        qs = Organisation.objects.all() if qs is None else qs
        if self.kind == REGION:
            return qs.filter(region__code__startswith=self.region_prefix)
        if self.kind == ORGANISATION:
            return qs.filter(pk=self.organisation_id)
        return self.filter(qs)

    def teachers(self, qs: QuerySet | None = None) -> QuerySet:
        """The registry: government by region, a school its own teachers. Institutions reach teachers
        only through the enrolments of their projects, never through the registry."""
        qs = Teacher.objects.all() if qs is None else qs
        return self.filter(qs, region="region", school="school")

    # -- object checks ----------------------------------------------------
    def covers_region(self, region: Region | None) -> bool:
        if self.kind == ALL:
            return True
        if self.kind == REGION and region is not None:
            return region.code.startswith(self.region_prefix)
        return False

    def covers_organisation(self, organisation: Organisation | None) -> bool:
        if organisation is None:
            return self.kind == ALL
        if self.kind == ORGANISATION:
            return organisation.pk == self.organisation_id
        return self.covers_region(organisation.region) if self.kind == REGION else self.kind == ALL

    @property
    def can_write(self) -> bool:
        return not self.read_only and self.kind != NONE


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user=user, kind=NONE, read_only=True)
    if user.is_superuser:
        return Scope(user=user, kind=ALL)
    org = user.organisation
    read_only = user.role in READ_ONLY_ROLES
    if org is None or not user.role:
        return Scope(user=user, kind=NONE, read_only=True)
    if user.role in REGION_ROLES:
        if org.region_id is None:  # the ministry: national
            return Scope(user=user, kind=ALL, read_only=read_only)
        return Scope(user=user, kind=REGION, region_prefix=org.region.prefix, read_only=read_only)
    if user.role in ORGANISATION_ROLES:
        audience = SCHOOL if user.role == Role.SCHOOL_ADMIN else INSTITUTION
        return Scope(user=user, kind=ORGANISATION, organisation_id=org.pk, audience=audience)
    if user.role == Role.EXPERT:
        return Scope(user=user, kind=ASSIGNED)
    return Scope(user=user, kind=NONE, read_only=True)
