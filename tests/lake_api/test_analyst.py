"""What analysts get from the Lake API: personal data masked by role, each column described from the catalog,
the rows that changed between two versions, time travel by moment or explicit versions, one name per key.

Expected values are written by hand here (the masks as a person would write them, the changes we made)."""

import datetime as dt

import polars as pl
import pytest
from deltalake import write_deltalake

from lake import Lake, LakeError

UTC = dt.UTC
T0 = dt.datetime(2022, 5, 1, 8, 0, tzinfo=UTC)


def reports(rows: list[tuple[str, str | None, str | None, str]]) -> pl.DataFrame:
    return pl.DataFrame({
        "report_id": [r[0] for r in rows], "source": ["simulated"] * len(rows),
        "reporter_name": [r[1] for r in rows], "reporter_phone": [r[2] for r in rows],
        "rating": [r[3] for r in rows], "status": ["resolved"] * len(rows), "updated_at": [T0] * len(rows),
    }, schema_overrides={"reporter_name": pl.String, "reporter_phone": pl.String})


@pytest.fixture
def root(tmp_path):
    """A lake written by the service role: three reports with their reporters, and a raw payload naming one."""
    svc = Lake.open(tmp_path / "lake", role="service")
    svc.merge("silver.reports", reports([("R1", "Nguyễn Văn An", "0905 123 456", "hai_long"),
                                         ("R2", "Trần Thị Bình", "0234-3822-111", "chap_nhan"),
                                         ("R3", None, None, "khong_hai_long")]))
    svc.append("bronze.reports_raw", pl.DataFrame({
        "raw_id": ["x1"], "source": ["simulated"], "record_id": ["R1"], "batch_id": ["b1"], "ingested_at": [T0],
        "payload": ['{"report_id": "R1", "reporter_name": "Nguyễn Văn An", "reporter_phone": "0905123456"}']}))
    return str(tmp_path / "lake")


IDENTITY = {"Nguyễn Văn An", "0905 123 456", "0905123456", "Trần Thị Bình", "0234-3822-111", "02343822111"}


def _no_identity(frame: pl.DataFrame) -> None:
    for column in frame.columns:
        if frame[column].dtype == pl.String:
            for value in frame[column].drop_nulls():
                assert not any(secret in value for secret in IDENTITY), (column, value)


def test_an_analyst_reading_reports_gets_no_reporter_identity(root, monkeypatch):
    monkeypatch.delenv("HUE_IOC_LAKE_ROLE", raising=False)  # the default role, as a notebook gets it
    lake = Lake.open(root)
    assert lake.role == "analyst" and lake.masked
    read = lake.read("silver.reports").sort("report_id")
    scanned = lake.scan("silver.reports").sort("report_id").collect()
    by_sql = lake.sql("SELECT * FROM silver.reports ORDER BY report_id")
    # masked as on the screens: initials of each word, the first and last three digits
    expected_names = ["N*** V*** A***", "T*** T*** B***", None]
    expected_phones = ["090****456", "023*****111", None]
    for frame in (read, scanned, by_sql):
        _no_identity(frame)
        assert frame["reporter_name"].to_list() == expected_names
        assert frame["reporter_phone"].to_list() == expected_phones
        assert frame["rating"].to_list() == ["hai_long", "chap_nhan", "khong_hai_long"]  # the rest untouched
    # SQL cannot route around the mask: the column is masked before any expression sees it
    assert lake.sql("SELECT count(*) FROM silver.reports WHERE reporter_name LIKE 'Nguyễn%'").item() == 0
    assert lake.sql("SELECT max(length(reporter_phone)) FROM silver.reports").item() == len("023*****111")
    # the raw payload names the reporter too, so analysts get it hidden
    raw = lake.read("bronze.reports_raw")
    assert raw["payload"].to_list() == [None] and raw["record_id"].to_list() == ["R1"]
    _no_identity(lake.sql("SELECT * FROM bronze.reports_raw"))
    # a pinned view and a diff keep the role
    _no_identity(lake.as_of({"silver.reports": 1}).sql("SELECT * FROM silver.reports"))
    _no_identity(lake.diff("silver.reports", None))


def test_operators_see_and_analysts_cannot_write(root):
    op = Lake.open(root, role="operator")
    assert op.sql("SELECT reporter_name FROM silver.reports WHERE report_id = 'R1'").item() == "Nguyễn Văn An"
    assert op.read("silver.reports").filter(pl.col("report_id") == "R2")["reporter_phone"].item() == "0234-3822-111"
    analyst = Lake.open(root, role="analyst")
    with pytest.raises(LakeError, match="read-only"):  # what it reads is not the data: it may not write it back
        analyst.merge("silver.reports", analyst.read("silver.reports"))
    with pytest.raises(LakeError, match="unknown lake role"):
        Lake.open(root, role="admin")


def test_the_role_comes_from_the_environment_when_not_given(root, monkeypatch):
    monkeypatch.setenv("HUE_IOC_LAKE_ROLE", "operator")
    assert Lake.open(root).sql("SELECT reporter_name FROM silver.reports WHERE report_id = 'R1'").item() \
        == "Nguyễn Văn An"
    monkeypatch.setenv("HUE_IOC_LAKE_ROLE", "leader")
    assert Lake.open(root).sql("SELECT reporter_name FROM silver.reports WHERE report_id = 'R1'").item() \
        == "N*** V*** A***"


def test_plates_are_masked_for_analysts(tmp_path):
    svc = Lake.open(tmp_path / "lake", role="service")
    svc.merge("silver.violations", pl.DataFrame({"event_id": ["e1", "e2"], "plate_text": ["75A-123.45", None],
                                                 "plate_raw": ["75A12345", None], "fine_vnd": [800_000, 0]}))
    analyst = svc.with_role("analyst")
    assert analyst.sql("SELECT plate_text FROM silver.violations ORDER BY event_id")["plate_text"].to_list() \
        == ["75A-***.**", None]
    assert analyst.read("silver.violations").sort("event_id")["plate_raw"].to_list() == ["75A1-****", None]  # series A1, number hidden
    assert analyst.sql("SELECT sum(fine_vnd) FROM silver.violations").item() == 800_000


def test_describe_gives_type_meaning_unit_and_values_from_the_catalog(lake):
    d = lake.with_role("analyst").describe("silver.reports")
    assert d["column"].to_list()[:2] == ["report_id", "source"]
    rating = d.filter(pl.col("column") == "rating").row(0, named=True)
    assert rating["type"] == "string"
    assert rating["values"] == ["hai_long", "chap_nhan", "khong_hai_long"] and not rating["open_values"]
    assert "rating" in rating["meaning"]
    lat = d.filter(pl.col("column") == "lat").row(0, named=True)
    assert lat["type"] == "double" and lat["unit"] == "°"
    name = d.filter(pl.col("column") == "reporter_name").row(0, named=True)
    assert name["personal"] and name["masked"]
    assert d.filter(pl.col("column") == "report_id")["key"].to_list() == [True]
    assert lake.with_role("operator").describe("silver.reports").filter(
        pl.col("column") == "reporter_name")["masked"].to_list() == [False]
    events = lake.describe("silver.report_events").filter(pl.col("column") == "event_type").row(0, named=True)
    assert "extension_granted" in events["values"] and len(events["values"]) == 11
    depth = lake.describe("silver.gauge_readings").filter(pl.col("column") == "water_level_m").row(0, named=True)
    assert depth["unit"] == "m"
    # tables() lists columns as a list, not one long string
    row = lake.tables().filter(pl.col("table") == "silver.units").row(0, named=True)
    assert row["columns"] == ["unit_id", "name", "unit_type", "sector", "admin_unit_code", "joined_on", "source",
                              "valid_from", "valid_to", "successor_unit_id", "admin_unit_code_2025"]
    assert row["keys"] == ["unit_id"]


def units(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame({"unit_id": [r[0] for r in rows], "name": [r[1] for r in rows],
                         "unit_type": [r[2] for r in rows], "source": ["test"] * len(rows)})


def test_diff_by_key_between_two_versions(lake):
    v1 = lake.merge("silver.units", units([("u1", "Phường A", "state"), ("u2", "Công ty B", "enterprise"),
                                           ("u3", "Sở C", "state")])) and lake.version("silver.units")
    lake.merge("silver.units", units([("u2", "Công ty B (mới)", "enterprise"), ("u4", "Xã D", "state")]))
    lake.delete_keys("silver.units", pl.DataFrame({"unit_id": ["u3"]}))
    v2 = lake.version("silver.units")
    d = lake.diff("silver.units", v1, v2)
    assert d.select("change", "unit_id").rows() == [("removed", "u3"), ("changed", "u2"), ("added", "u4")]
    changed = d.filter(pl.col("change") == "changed").row(0, named=True)
    assert changed["name"] == "Công ty B (mới)" and changed["name__before"] == "Công ty B"
    assert changed["changed_columns"] == ["name"]
    assert d.filter(pl.col("change") == "removed")["name"].to_list() == ["Sở C"]  # a removed row shows what it was
    assert "unit_type__before" not in d.columns  # only columns that moved carry their old values
    # the newest version by default; nothing between a version and itself; None = before the table existed
    assert lake.diff("silver.units", v1).select("change", "unit_id").rows() == d.select("change", "unit_id").rows()
    assert lake.diff("silver.units", v2, v2).is_empty()
    assert sorted(lake.diff("silver.units", None, v1)["unit_id"]) == ["u1", "u2", "u3"]
    with pytest.raises(LakeError, match="whole numbers"):
        lake.diff("silver.units", "2022-01-01", v2)


def test_as_of_takes_a_moment_or_explicit_versions_not_a_bare_integer(lake):
    lake.merge("silver.units", units([("u1", "A", "state")]))
    lake.merge("silver.categories", pl.DataFrame({"category_code": ["c1"], "name_vi": ["X"]}))
    lake.merge("silver.units", units([("u2", "B", "state")]))
    pinned = lake.as_of({"silver.units": 1})  # version 0 = create, 1 = first merge
    assert pinned.sql("SELECT count(*) FROM silver.units").item() == 1
    assert pinned.sql("SELECT count(*) FROM silver.categories").item() == 1  # not named: newest
    assert lake.as_of({"silver.units": None}).sql("SELECT count(*) FROM silver.units").item() == 0
    for bad in (1, True, 0):
        with pytest.raises(LakeError, match="bare version number"):
            lake.as_of(bad)
    with pytest.raises(LakeError, match="unknown table"):
        lake.as_of({"silver.nothing": 1})
    with pytest.raises(LakeError, match="whole number"):
        lake.as_of({"silver.units": "1"})
    assert lake.as_of(dt.datetime(2000, 1, 1, tzinfo=UTC)).sql("SELECT count(*) FROM silver.units").item() == 0


def test_admin_units_key_is_admin_unit_code_and_old_lakes_are_upgraded(lake):
    old = pl.DataFrame({"code": ["46001", "46002"], "name": ["Phường Một", "Xã Hai"], "level": ["commune"] * 2})
    opts = dict(lake.storage_options) or None  # the S3 run's endpoint and credentials; None for a folder
    write_deltalake(lake.uri("silver.admin_units"), old.to_arrow(), mode="overwrite",
                    storage_options=opts)  # as an older lake holds it
    # read before any write: the old column shows under its new name, in read, scan and SQL
    assert lake.read("silver.admin_units")["admin_unit_code"].to_list() == ["46001", "46002"]
    assert lake.sql("SELECT name FROM silver.admin_units WHERE admin_unit_code = '46002'").item() == "Xã Hai"
    # the first write rewrites the table under the new name, keeping its rows, then merges by the new key
    lake.merge("silver.admin_units", pl.DataFrame({"admin_unit_code": ["46002", "46003"], "name": ["Xã Hai (mới)",
                                                                                                 "Phường Ba"]}))
    stored = pl.read_delta(lake.uri("silver.admin_units"), storage_options=opts)
    assert "code" not in stored.columns
    assert stored.sort("admin_unit_code").select("admin_unit_code", "name").rows() == [
        ("46001", "Phường Một"), ("46002", "Xã Hai (mới)"), ("46003", "Phường Ba")]
    # one name per key: every table that carries an administrative unit calls it admin_unit_code
    from lake import catalog

    assert all("code" not in s.schema.names for s in catalog().values())
