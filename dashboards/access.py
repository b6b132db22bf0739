"""Who is looking: the wall, a leader or an operator, and what each may see.

Role, first match wins:
1. wall mode (``hue-ioc dashboard --wall`` sets HUE_IOC_DASHBOARD_WALL=1): always ``wall``;
2. OIDC login when ``[auth]`` is configured in Streamlit secrets: ``st.user``'s ``role``/``roles``/
   ``groups`` claim, else the TOML ``[dashboard.roles]`` lists of e-mails (operators / leaders / walls),
   else ``leader``;
3. HUE_IOC_ROLE, then the TOML key ``role``; default ``leader``.

Only operators see reporter identity (silver.reports.reporter_name/phone) and full plate numbers, and only
operators act (review a violation): the page hides the controls for other roles, and every action function
checks the role again through ``require`` before it writes, so a forged widget event changes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

# The role concept and the masks are the lake's (lake.access), so the Lake API and the screens mask alike;
# the screens know three of its roles.
from lake.access import mask_name, mask_phone, mask_plate, may_see_personal_data

__all__ = ["ROLES", "Actor", "Refused", "mask_name", "mask_phone", "mask_plate", "may_see_personal_data"]

ROLES = ("wall", "leader", "operator")
DEFAULT_ROLE = "leader"


def wall_mode() -> bool:
    return os.environ.get("HUE_IOC_DASHBOARD_WALL", "").lower() in ("1", "true", "yes")


def _normalise(role: Any) -> str | None:
    if isinstance(role, str) and role.strip().lower() in ROLES:
        return role.strip().lower()
    return None


def configured_role() -> str:
    """Role from HUE_IOC_ROLE or the TOML key ``role`` (``leader`` when unset or unknown)."""
    from core.settings import settings

    raw = os.environ.get("HUE_IOC_ROLE") or settings().extra.get("role")
    return _normalise(raw) or DEFAULT_ROLE


def role_from_claims(user: dict[str, Any], toml: dict[str, Any] | None = None) -> str:
    """Role of a logged-in OIDC user: a ``role``/``roles``/``groups`` claim naming a role, else the
    ``[dashboard.roles]`` e-mail lists of the TOML file, else ``leader``. The most powerful match wins."""
    found: list[str] = []
    for claim in ("role", "roles", "groups"):
        value = user.get(claim)
        values = value if isinstance(value, list | tuple) else [value]
        found += [r for r in (_normalise(v) for v in values) if r]
    lists = ((toml or {}).get("dashboard") or {}).get("roles") or {}
    email = str(user.get("email") or "").lower()
    for role, key in (("operator", "operators"), ("leader", "leaders"), ("wall", "walls")):
        if email and email in [str(e).lower() for e in lists.get(key, [])]:
            found.append(role)
    for role in ("operator", "leader", "wall"):
        if role in found:
            return role
    return DEFAULT_ROLE


class Refused(PermissionError):
    """An action asked for by a role that may not take it."""


@dataclass(frozen=True)
class Actor:
    """Who acts: the role resolved by the server (never sent by the browser) and a name for the audit."""

    role: str
    name: str


def may_act(role: str) -> bool:
    """Operators review, correct and decide; leaders and the wall only look."""
    return role == "operator"


def require(actor: Actor) -> None:
    """Raise ``Refused`` unless ``actor`` may act: the server-side check of every action."""
    if not may_act(actor.role):
        raise Refused(f"vai trò {actor.role!r} không được thao tác / role {actor.role!r} may not act")
    if not actor.name.strip():
        raise Refused("thiếu tên người thao tác / the actor has no name")


def actor_name(user: dict[str, Any] | None = None) -> str:
    """The audit name: the OIDC e-mail (or name) when logged in, else the server account (USER), or the role."""
    for key in ("email", "name", "sub"):
        if user and user.get(key):
            return str(user[key])
    return os.environ.get("USER") or configured_role()
