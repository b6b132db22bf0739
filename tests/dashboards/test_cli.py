"""`hue-ioc dashboard`: loopback by default, headless, no usage statistics, wall mode and role."""

from __future__ import annotations

from dashboards.serve import command, environment
from hue_ioc.cli import build_parser


def _opt(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_command_binds_loopback_headless_no_stats() -> None:
    cmd = command()
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("dashboards/app.py")
    assert _opt(cmd, "--server.address") == "127.0.0.1"
    assert _opt(cmd, "--server.headless") == "true"
    assert _opt(cmd, "--browser.gatherUsageStats") == "false"
    assert _opt(cmd, "--server.port") == "8501"
    wall = command(wall=True, port=9000, address="0.0.0.0")
    assert _opt(wall, "--server.address") == "0.0.0.0" and _opt(wall, "--server.port") == "9000"
    assert _opt(wall, "--theme.base") == "dark"


def test_environment_and_parser() -> None:
    env = environment(wall=True, role="operator")
    assert env["HUE_IOC_DASHBOARD_WALL"] == "1" and env["HUE_IOC_ROLE"] == "operator"
    args = build_parser().parse_args(["dashboard", "--wall", "--port", "8600", "--role", "leader"])
    assert (args.wall, args.port, args.address, args.role) == (True, 8600, "127.0.0.1", "leader")
    assert callable(args.func)


def test_oidc_login_gates_and_sets_the_role(reports_lake, make_app) -> None:
    """With [auth] in secrets: a login button until st.user is logged in, then the role from its claims."""
    at = make_app(reports_lake, role="leader")
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x",
                          "client_id": "ioc", "client_secret": "s",
                          "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration"}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Đăng nhập"] and not at.metric
    at.user = {"is_logged_in": True, "email": "op@hue.gov.vn", "groups": ["operator"]}
    at.run()
    assert not at.exception
    assert at.session_state["role"] == "operator"
    assert "Vai trò: **Điều hành viên**" in [c.value for c in at.sidebar.caption]
