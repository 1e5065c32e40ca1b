import pytest
from django.core.exceptions import ValidationError

from backoffice.models import Region, RegionLevel, region_level_of, region_parent_code
from backoffice.regions_data import regions_load


@pytest.mark.parametrize("code,level,parent", [
    ("360000", RegionLevel.PROVINCE, None),
    ("360100", RegionLevel.CITY, "360000"),
    ("360121", RegionLevel.COUNTY, "360100"),
    ("419001", RegionLevel.COUNTY, "410000"),  # 济源市: province-administered county
])
def test_r1_level_and_parent_follow_from_the_code(code, level, parent):
    assert region_level_of(code) == level
    assert region_parent_code(code) == parent


@pytest.mark.parametrize("code", ["36000", "3600000", "36a000", "419000"])
def test_r1_bad_codes_are_refused(code):
    with pytest.raises(ValidationError):
        region_level_of(code)


def test_r1_shipped_jiangxi_is_complete_and_linked(db):
    jiangxi = Region.objects.get(code="360000")
    cities = Region.objects.filter(parent=jiangxi)
    assert cities.count() == 11
    counties = Region.objects.filter(code__startswith="36", level=RegionLevel.COUNTY)
    assert counties.count() == 100
    assert not counties.filter(parent__isnull=True).exists()
    nanchang_county = Region.objects.get(code="360121")
    assert nanchang_county.name == "南昌县" and nanchang_county.parent.name == "南昌市"
    assert nanchang_county.is_within(jiangxi) and not nanchang_county.is_within(Region.objects.get(code="360700"))


def test_r1_province_administered_county_hangs_off_the_province(db):
    jiyuan = Region.objects.get(code="419001")
    assert jiyuan.parent.code == "410000"
    assert not Region.objects.filter(code="419000").exists()


def test_r1_parent_must_exist(db):
    region = Region(code="990101", name="无")
    with pytest.raises(ValidationError) as err:
        region.clean()
    assert err.value.code == "region_parent_missing"


def test_loading_regions_twice_changes_nothing(db):
    before = Region.objects.count()
    assert regions_load(province_codes={"36"}) == 0
    assert Region.objects.count() == before
