"""Demo: well-known API keys, like the demo password, so the API docs and docs/api_client.py can be tried at once."""
from datetime import timedelta

from django.utils import timezone

DEMO_KEYS = [  # (user, prefix, token, scopes)
    ("county", "democounty", "gp_democounty_Guopei-2026-county",
     ["plans:read", "rosters:write", "credits:read", "finance:read"]),
    ("institution", "demoinstitution", "gp_demoinstitution_Guopei-2026-institution",
     ["learning_records:write", "outcomes:read", "credits:read", "plans:read"]),
    ("finance", "demofinance", "gp_demofinance_Guopei-2026-finance", ["finance:read", "plans:read"]),
    ("ministry", "demoministry", "gp_demoministry_Guopei-2026-ministry", ["plans:read", "credits:read"]),
]


def demo_api_keys():
    from backoffice.api.keys import _hash
    from backoffice.models import ApiKey, User

    made = []
    for username, prefix, token, scopes in DEMO_KEYS:
        user = User.objects.filter(username=username).select_related("organisation").first()
        if user is None or user.organisation is None:
            continue
        ApiKey.objects.update_or_create(prefix=prefix, defaults={
            "label": "演示密钥", "organisation": user.organisation, "issued_by": user, "key_hash": _hash(token),
            "scopes": scopes, "expires_at": timezone.now() + timedelta(days=365), "revoked_at": None})
        made.append(f"{username}: {token}")
    return "API demo keys (Authorization: Api-Key …): " + "; ".join(made) if made else ""
