"""Name search that an index can serve (issue 13).

Three characters or more are searched anywhere in the name, which PostgreSQL answers from a trigram index
(pg_trgm, migration backoffice list_indexes). A trigram index cannot look up one or two characters, and most Chinese
names are two or three characters long: a search of one or two characters (a surname, or a two-character full
name) matches names that start with it, from an ordinary index."""
from django.db.models import Q

TRIGRAM = 3


def name_q(field: str, value: str) -> Q:
    value = (value or "").strip()
    if len(value) >= TRIGRAM:
        return Q(**{f"{field}__icontains": value})
    return Q(**{f"{field}__startswith": value})
