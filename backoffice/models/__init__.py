from .apikeys import ApiKey, IdempotentRequest
from .audit import AuditAction, AuditEvent
from .config import ProgrammeSetting
from .jobs import DocumentBatchChunk, DocumentBatchJob, ExportJob, Job, JobStatus
from .notices import Notice, NoticeStage
from .recorded import Audited, Logged, Recorded
from .organisations import GOVERNMENT_KINDS, Organisation, OrganisationKind, SchoolStage
from .regions import Region, RegionLevel, region_level_of, region_parent_code, region_prefix
from .teachers import Subject, Teacher, TeacherPost, TeacherTitle
from .users import ORGANISATION_ROLES, READ_ONLY_ROLES, REGION_ROLES, ROLE_ORGANISATION_KINDS, Role, User

__all__ = [
    "ApiKey", "AuditAction", "Audited", "Logged", "Recorded", "AuditEvent", "DocumentBatchChunk", "DocumentBatchJob",
    "ExportJob", "IdempotentRequest", "GOVERNMENT_KINDS", "Job", "JobStatus", "Notice", "NoticeStage",
    "ORGANISATION_ROLES", "Organisation",
    "OrganisationKind", "ProgrammeSetting", "READ_ONLY_ROLES", "REGION_ROLES", "ROLE_ORGANISATION_KINDS", "Region",
    "RegionLevel", "Role", "SchoolStage", "Subject", "Teacher", "TeacherPost", "TeacherTitle", "User",
    "region_level_of", "region_parent_code", "region_prefix",
]
