"""The admin's import/export (django-import-export) for project lists: Chinese headers, scoped lists."""
import pytest

from projects.resources import ProjectResource
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_resource_exports_with_chinese_headers(project):
    dataset = ProjectResource().export()
    assert dataset.headers[:3] == ["年度方案（编号）", "项目编号", "项目名称"]
    assert dataset[0][1] == project.code


def test_admin_project_pages_load_for_superuser(project, client):
    admin = UserFactory(is_superuser=True, is_staff=True, role="", organisation=None)
    client.force_login(admin)
    assert client.get("/admin/projects/project/").status_code == 200
    assert client.get("/admin/projects/project/import/").status_code == 200
    assert client.get(f"/admin/projects/project/{project.pk}/change/").status_code == 200
