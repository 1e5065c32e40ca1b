"""Tendering pages by audience: the office (office.py), downloads (outputs.py), the public award notices
(notices.py), the institutions' portal (portal.py) and the experts' scoring pages (experts.py). urls.py names
each module; nothing is re-exported here."""
