"""Reports, SOS, calls and units carry the administrative unit of their date (and their 2025 successor)."""

from __future__ import annotations

CITY = "TIMESTAMPTZ '2025-01-01 00:00:00+07'"
REFORM = "TIMESTAMPTZ '2025-07-01 00:00:00+07'"


def test_no_report_before_2025_names_a_unit_of_a_later_era(timeline_lake):
    lake = timeline_lake
    n_before = lake.sql(f"SELECT count(*) FROM silver.reports WHERE received_at < {CITY}").item()
    assert n_before > 1000
    # the admin unit: one of the nine 2019 districts, all of them used
    districts = lake.sql(f"""
        SELECT DISTINCT a.name FROM silver.reports r JOIN silver.admin_units a ON a.admin_unit_code = r.admin_unit_code
        WHERE r.received_at < {CITY}""")["name"].to_list()
    assert sorted(districts) == sorted(["Thành phố Huế", "Thị xã Hương Thủy", "Thị xã Hương Trà", "Huyện Phong Điền",
                                        "Huyện Quảng Điền", "Huyện Phú Vang", "Huyện Phú Lộc", "Huyện A Lưới",
                                        "Huyện Nam Đông"])
    later_admin = lake.sql(f"""
        SELECT count(*) FROM silver.reports r JOIN silver.admin_units a
          ON a.admin_unit_code IN (r.admin_unit_code, r.district_code)
        WHERE r.received_at < {CITY} AND a.valid_from IS NOT NULL""").item()
    assert later_admin == 0
    later_units = lake.sql(f"""
        SELECT count(*) FROM silver.reports r JOIN silver.units u ON u.unit_id IN (r.first_unit_id, r.current_unit_id)
        WHERE r.received_at < {CITY} AND u.valid_from IS NOT NULL""").item()
    assert later_units == 0
    for name in ("Quận Thuận Hóa", "Quận Phú Xuân", "Thị xã Phong Điền"):
        assert lake.sql(f"""SELECT count(*) FROM silver.reports r JOIN silver.units u ON u.unit_id = r.current_unit_id
                            WHERE r.received_at < {CITY} AND u.name ILIKE '%' || $n || '%'""",
                        {"n": name}).item() == 0


def test_each_era_has_its_own_units(timeline_lake):
    lake = timeline_lake
    def era_names(lo: str, hi: str) -> set[str]:
        return set(lake.sql(f"""SELECT DISTINCT u.name FROM silver.reports r JOIN silver.units u
                                ON u.unit_id = r.current_unit_id
                                WHERE r.received_at >= {lo} AND r.received_at < {hi}""")["name"].to_list())
    before = era_names("TIMESTAMPTZ '2019-01-01 00:00:00+07'", CITY)
    early = era_names(CITY, REFORM)
    after = era_names(REFORM, "TIMESTAMPTZ '2030-01-01 00:00:00+07'")
    assert {"UBND thành phố Huế", "UBND huyện Nam Đông", "Sở Xây dựng tỉnh Thừa Thiên Huế"} <= before
    assert {"UBND quận Thuận Hóa", "UBND quận Phú Xuân", "UBND thị xã Phong Điền"} <= early
    assert not any("Nam Đông" in n and n.startswith("UBND huyện") for n in early)
    assert not any(n.startswith("UBND quận") or n.startswith("UBND huyện") for n in after)
    assert any(n.startswith("UBND Phường") for n in after)
    # the kind of district is kept in names ("thị xã", never a bare "xã" before a town's name)
    names = lake.sql("SELECT name FROM silver.units")["name"].to_list()
    assert "Điện lực thị xã Hương Thủy" in names
    assert not [n for n in names if "lực xã" in n or "trường đô thị xã" in n]


def test_reports_of_2025_carry_the_units_of_their_half_year(timeline_lake):
    lake = timeline_lake
    early = lake.sql(f"""SELECT a.level, a.valid_to, count(*) n FROM silver.reports r
                         JOIN silver.admin_units a ON a.admin_unit_code = r.admin_unit_code
                         WHERE r.received_at >= {CITY} AND r.received_at < {REFORM} GROUP BY 1, 2""")
    assert early["level"].to_list() == ["commune"] and str(early["valid_to"][0]) == "2025-06-30"
    late = lake.sql(f"""SELECT count(*) FILTER (WHERE admin_unit_code NOT LIKE '%@2025') bad,
                               count(*) FILTER (WHERE district_code IS NOT NULL) with_district
                        FROM silver.reports WHERE received_at >= {REFORM}""").row(0)
    assert late == (0, 0)


def test_every_row_keeps_its_2025_successor(timeline_lake):
    lake = timeline_lake
    assert lake.sql("SELECT count(*) FROM silver.reports WHERE admin_unit_code_2025 IS NULL "
                    "OR admin_unit_code IS NULL").item() == 0
    for table in ("silver.sos_requests", "silver.hotline_calls"):
        assert lake.sql(f"SELECT count(*) FROM {table} WHERE admin_unit_code IS NULL "
                        "OR admin_unit_code_2025 IS NULL").item() == 0
    old = lake.sql("""SELECT count(*) FROM silver.sos_requests
                      WHERE requested_at < TIMESTAMPTZ '2025-01-01 00:00:00+07' AND admin_unit_code NOT LIKE '%@2019'""")
    assert old.item() == 0
    # units of the earlier eras name who took over their work
    assert lake.sql("""SELECT successor_unit_id FROM silver.units WHERE name = 'Sở Xây dựng tỉnh Thừa Thiên Huế'""").item() \
        == "so_xd@2025"
