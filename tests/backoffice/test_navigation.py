"""Issue 14 #6 and #4: menus grouped per role; no menu link answers "access denied" for the user who sees it."""
import pytest
from django.utils import translation
from django.urls import reverse

from backoffice.navigation import nav_for, nav_groups_for


def test_province_menu_is_grouped_not_flat(personas, login):
    groups = nav_groups_for(personas.province)
    top_level = len(groups)
    assert len(nav_for(personas.province)) >= 12 and top_level <= 8
    with translation.override("en"):
        labels = {str(g.label) for g in groups if g.label}
    assert {"Plans", "Trainees", "Evaluation", "Registry"} <= labels
    page = login(personas.province).get("/").content.decode()
    assert page.count('data-testid="navgroup"') == len([g for g in groups if g.label]) >= 4


@pytest.mark.parametrize("who", ["province", "office", "county", "school", "institution", "expert", "finance",
                                 "auditor", "ministry", "city", "admin"])
def test_every_menu_link_opens_for_the_user_who_sees_it(personas, login, who):
    if who == "admin":
        from tests.factories import UserFactory

        user = UserFactory(username="root", is_superuser=True, is_staff=True, role="", organisation=None)
    else:
        user = personas[who]
    client = login(user)
    for item in nav_for(user):
        status = client.get(reverse(item.url_name)).status_code
        assert status == 200, (who, item.url_name, status)


def test_single_item_group_is_shown_as_the_item(personas):
    for group in nav_groups_for(personas.school):
        assert group.label == "" or len(group.items) > 1
