"""Settings read and validated once: hand-made environments and TOML files, with the expected messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.settings import SettingsError, settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No HUE_IOC_ variable from the caller's shell; the TOML file is tmp_path/hue_ioc.toml."""
    for name in list(os.environ):
        if name.startswith("HUE_IOC_"):
            monkeypatch.delenv(name)
    toml = tmp_path / "hue_ioc.toml"
    monkeypatch.setenv("HUE_IOC_CONFIG", str(toml))
    return toml


def test_defaults_without_a_file() -> None:
    s = settings()
    assert s.deployment == "local" and s.language == "vi" and s.lake == "data/lake"
    assert s.score_weights == {"on_time": 0.4, "satisfaction": 0.3, "processed": 0.2, "speed": 0.1}
    assert s.extra == {}


def test_env_beats_toml(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env.write_text('lake = "/srv/lake"\ndeployment = "production"\nlanguage = "en"\n')
    assert (settings().lake, settings().deployment, settings().language) == ("/srv/lake", "production", "en")
    monkeypatch.setenv("HUE_IOC_LAKE", "/tmp/other-lake")
    monkeypatch.setenv("HUE_IOC_DEPLOYMENT", "local")
    s = settings()
    assert (s.lake, s.deployment, s.language) == ("/tmp/other-lake", "local", "en")
    monkeypatch.setenv("HUE_IOC_LAKE", "")  # set but empty: as if unset
    assert settings().lake == "/srv/lake"


def test_bad_deployment_names_the_allowed_values(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUE_IOC_DEPLOYMENT", "prod")
    with pytest.raises(SettingsError) as err:
        settings()
    msg = str(err.value)
    assert msg.startswith("setting deployment (env HUE_IOC_DEPLOYMENT): 'prod' refused")
    assert "'local'" in msg and "'production'" in msg and "\n" not in msg
    monkeypatch.delenv("HUE_IOC_DEPLOYMENT")
    clean_env.write_text('deployment = "staging"\n')
    with pytest.raises(SettingsError, match=r"^setting deployment \(TOML key deployment in .*hue_ioc.toml\): "
                                            r"'staging' refused"):
        settings()


@pytest.mark.parametrize(("value", "expected"), [
    ("on_time=0.5,satisfaction=0.3,processed=0.2,speed=0.1", "weights sum to 1.1; they must sum to 1"),
    ("on_time=0.4,satisfaction=0.3,processed=0.2,fast=0.1", "unknown part fast"),
    ("on_time=0.5,satisfaction=0.3,processed=0.2", "missing part speed"),
    ("on_time=1.2,satisfaction=-0.2,processed=0,speed=0", "weight of satisfaction must be a number ≥ 0"),
    ("on_time=0.4;satisfaction=0.6", "'on_time=0.4;satisfaction=0.6' is not part=number"),
])
def test_bad_weights_from_env(monkeypatch: pytest.MonkeyPatch, value: str, expected: str) -> None:
    monkeypatch.setenv("HUE_IOC_SCORE_WEIGHTS", value)
    with pytest.raises(SettingsError) as err:
        settings()
    assert str(err.value).startswith("setting score_weights (env HUE_IOC_SCORE_WEIGHTS): ")
    assert expected in str(err.value)


def test_weights_from_toml(clean_env: Path) -> None:
    clean_env.write_text("[score_weights]\non_time = 0.25\nsatisfaction = 0.25\nprocessed = 0.5\nspeed = 0\n")
    assert settings().score_weights == {"on_time": 0.25, "satisfaction": 0.25, "processed": 0.5, "speed": 0.0}
    clean_env.write_text("[score_weights]\non_time = 0.5\nsatisfaction = 0.25\nprocessed = 0.5\nspeed = 0\n")
    with pytest.raises(SettingsError, match=r"^setting score_weights \(TOML key score_weights in .*\): .*"
                                            r"weights sum to 1.25; they must sum to 1$"):
        settings()


def test_unknown_toml_key(clean_env: Path) -> None:
    clean_env.write_text('lake = "/srv/lake"\ntimezone = "UTC"\n')
    with pytest.raises(SettingsError, match=r"^unknown setting timezone \(TOML key in .*hue_ioc.toml\); known keys: "
                                            r"lake, assets, .*deployment"):
        settings()
    clean_env.write_text("[dashboard]\nwall_second = 30\n")  # typo inside a table
    with pytest.raises(SettingsError, match=r"^unknown setting dashboard.wall_second "):
        settings()
    clean_env.write_text('cap_inbox = "/srv/cap"\n')  # read from the environment only
    with pytest.raises(SettingsError, match=r"^setting cap_inbox \(TOML key in .*\): read from the environment "
                                            r"only, as HUE_IOC_CAP_INBOX$"):
        settings()


def test_bounded_values(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env.write_text("[dashboard]\nwall_seconds = 0\n")
    with pytest.raises(SettingsError, match=r"^setting dashboard.wall_seconds \(TOML key dashboard.wall_seconds in "
                                            r".*\): 0 refused: Input should be greater than or equal to 1$"):
        settings()
    clean_env.write_text("")
    monkeypatch.setenv("HUE_IOC_LANGUAGE", "fr")
    with pytest.raises(SettingsError, match=r"^setting language \(env HUE_IOC_LANGUAGE\): 'fr' refused"):
        settings()


def test_unknown_env_var_refused_but_declared_ones_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUE_IOC_LAKES", "/srv/lake")  # a typo of HUE_IOC_LAKE
    with pytest.raises(SettingsError, match=r"^unknown environment variable HUE_IOC_LAKES; known: HUE_IOC_LAKE, "):
        settings()
    monkeypatch.delenv("HUE_IOC_LAKES")
    for name, value in [("HUE_IOC_CAP_INBOX", "/srv/cap"), ("HUE_IOC_DASHBOARD_WALL", "1"),
                        ("HUE_IOC_S3_ENDPOINT_URL", "http://minio:9000"), ("HUE_IOC_BENCH_SCALE", "5"),
                        ("HUE_IOC_TEST_PG_DSN", "host=db")]:
        monkeypatch.setenv(name, value)
    s = settings()
    assert s.cap_inbox == "/srv/cap" and s.dashboard_wall is True


def test_dashboard_table_is_typed_and_kept_as_read(clean_env: Path) -> None:
    clean_env.write_text('role = "operator"\n[dashboard]\nwall_pages = ["overview", "floods"]\n'
                         '[dashboard.roles]\noperators = ["op@hue.gov.vn"]\n')
    s = settings()
    assert s.role == "operator" and s.dashboard.wall_pages == ["overview", "floods"]
    assert s.dashboard.roles.operators == ["op@hue.gov.vn"] and s.dashboard.roles.walls == []
    assert s.extra["dashboard"]["roles"] == {"operators": ["op@hue.gov.vn"]}


def test_invalid_toml_is_one_line(clean_env: Path) -> None:
    clean_env.write_text("lake = \n")
    with pytest.raises(SettingsError, match=r"^settings file .*hue_ioc.toml: not valid TOML"):
        settings()


def test_api_table_and_variables(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env.write_text('[api]\nrate_per_minute = 120\n[api.keys]\nk1 = "Partner A"\n')
    assert settings().api.rate_per_minute == 120 and settings().api.keys == {"k1": "Partner A"}
    monkeypatch.setenv("HUE_IOC_API_KEYS", "k2=Partner B")  # read by api.config itself
    assert settings().api.keys == {"k1": "Partner A"}
    monkeypatch.setenv("HUE_IOC_API_RATE", "5")
    with pytest.raises(SettingsError, match=r"^unknown environment variable HUE_IOC_API_RATE; known: .*"
                                            r"HUE_IOC_API_RATE_PER_MINUTE"):
        settings()
    monkeypatch.delenv("HUE_IOC_API_RATE")
    clean_env.write_text("[api]\nrate_per_minute = 0\n")
    with pytest.raises(SettingsError, match=r"^setting api.rate_per_minute \(TOML key api.rate_per_minute in .*\): "
                                            r"0 refused: Input should be greater than 0$"):
        settings()
