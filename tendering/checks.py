"""`check --deploy`: the seal secret (R23) must come from the environment and must not be SECRET_KEY."""
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MIN_LENGTH = 32


@register(Tags.security, deploy=True)
def seal_secret_check(app_configs=None, **kwargs):
    secrets = list(getattr(settings, "TENDER_SEAL_SECRETS", None) or [])
    if not secrets:
        if getattr(settings, "TENDER_SEAL_KEY_FILE", None):
            return [Warning(
                "Sealed bids use the seal secret generated on this machine (%s)." % settings.TENDER_SEAL_KEY_FILE,
                hint="Set TENDER_SEAL_SECRETS and back it up apart from the database (README, Production).",
                id="tendering.W001")]
        return [Error(
            "TENDER_SEAL_SECRETS is not set: tenders cannot be sealed or opened.",
            hint='Set TENDER_SEAL_SECRETS="v1:<secret>" (python -c "import secrets; print(secrets.token_urlsafe(48))") '
                 "and keep it apart from the database backup (README, Production).",
            id="tendering.E001")]
    problems = []
    for version, secret in secrets:
        if secret == settings.SECRET_KEY:
            problems.append(Error(
                f"The seal secret of key version {version!r} equals SECRET_KEY.",
                hint="Use a separate secret: rotating SECRET_KEY must not make sealed bids unopenable.",
                id="tendering.E002"))
        elif len(secret) < MIN_LENGTH:
            problems.append(Warning(f"The seal secret of key version {version!r} is shorter than {MIN_LENGTH} characters.",
                                    id="tendering.W002"))
    return problems
