"""The REST API's shared core (issue 15): key authentication and scopes (R5), throttling per key, problem details
(RFC 9457), cursor pagination with `updated_since`, idempotent batch writes. Each app's endpoints live in its own
`api.py` and go through its selectors (R2) and services (R3)."""
