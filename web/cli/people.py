"""People commands: users and role membership (admins), deputies (each user their own).

Thin wrappers over the service layer the pages call too (engine/commands/people.py,
engine/commands/user_admin.py): the same rules, the same audit events.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from .common import engine, json_option

BY = click.option("--user", "by", required=True, help="The administrator acting.")


@click.group("users")
def users_group() -> None:
    """Users and their roles (an administrator's commands)."""


@users_group.command("list")
@click.option("--search", default="", help="Part of a username, name or e-mail.")
@BY
@json_option
def list_users(search: str, by: str) -> tuple[Any, str]:
    """List users (active first)."""
    found = engine().find_users(by=by, query=search)
    rows = [
        {"username": u.username, "name": u.name, "active": u.active, "roles": sorted(u.roles)}
        for u in found
    ]
    lines = [
        f"{r['username']:24} {'active' if r['active'] else 'inactive':9} {', '.join(r['roles'])}"
        for r in rows
    ]
    return rows, "\n".join(lines) or "no users"


@users_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="Display name.")
@click.option("--email", default=None, help="E-mail address.")
@click.option("--role", "roles", multiple=True, help="A role to hold (repeat for more).")
@BY
@json_option
def create(
    username: str, name: str, email: str | None, roles: tuple[str, ...], by: str
) -> tuple[Any, str]:
    """Create USERNAME; prints a one-time password they must change at first sign-in."""
    password = engine().create_user(username, name=name, email=email, roles=list(roles), by=by)
    return {"user": username, "one_time_password": password}, password


@users_group.command("set")
@click.argument("username")
@click.option("--name", required=True, help="Display name.")
@click.option("--email", default="", help="E-mail address (empty: none).")
@BY
@json_option
def set_details(username: str, name: str, email: str, by: str) -> tuple[Any, str]:
    """Change USERNAME's display name and e-mail."""
    engine().update_user(username, name=name, email=email, by=by)
    return {"user": username, "name": name, "email": email or None}, f"{username} changed"


@users_group.command("deactivate")
@click.argument("username")
@BY
@json_option
def deactivate(username: str, by: str) -> tuple[Any, str]:
    """Deactivate USERNAME (their sessions end; their history stays)."""
    engine().set_user_active(username, False, by=by)
    return {"user": username, "active": False}, f"{username} deactivated"


@users_group.command("reactivate")
@click.argument("username")
@BY
@json_option
def reactivate(username: str, by: str) -> tuple[Any, str]:
    """Reactivate USERNAME."""
    engine().set_user_active(username, True, by=by)
    return {"user": username, "active": True}, f"{username} reactivated"


@users_group.command("add-role")
@click.argument("username")
@click.argument("role")
@BY
@json_option
def add_role(username: str, role: str, by: str) -> tuple[Any, str]:
    """Make USERNAME a member of ROLE."""
    engine().add_role(username, role, by=by)
    return {"user": username, "role": role, "added": True}, f"{username} now holds {role}"


@users_group.command("remove-role")
@click.argument("username")
@click.argument("role")
@BY
@json_option
def remove_role(username: str, role: str, by: str) -> tuple[Any, str]:
    """Take ROLE from USERNAME."""
    engine().remove_role(username, role, by=by)
    return {"user": username, "role": role, "removed": True}, f"{username} no longer holds {role}"


@click.group("deputy")
def deputy_group() -> None:
    """Your stand-in while you are away (each user sets their own)."""


@deputy_group.command("list")
@click.option("--user", required=True, help="Whose deputies.")
@json_option
def list_deputies(user: str) -> tuple[Any, str]:
    """List USER's deputies, with the ids `deputy remove` takes."""
    rows = [
        {**d, "starts": d["starts"].isoformat(), "ends": d["ends"].isoformat()}
        for d in engine().account(user).deputies
    ]
    lines = [f"{r['id']:5} {r['deputy']:24} {r['starts']} .. {r['ends']}" for r in rows]
    return rows, "\n".join(lines) or "no deputies"


@deputy_group.command("set")
@click.option("--user", required=True, help="Who will be away.")
@click.option("--deputy", required=True, help="Who stands in for them.")
@click.option("--from", "starts", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "ends", required=True, type=click.DateTime(["%Y-%m-%d"]))
@json_option
def set_deputy(user: str, deputy: str, starts: Any, ends: Any) -> tuple[Any, str]:
    """Name DEPUTY as USER's stand-in from --from to --to (both days included)."""
    first, last = date.fromordinal(starts.toordinal()), date.fromordinal(ends.toordinal())
    deputy_id = engine().set_deputy(user, deputy, starts=first, ends=last)
    result = {"id": deputy_id, "principal": user, "deputy": deputy}
    return result, f"{deputy} stands in for {user} from {first} to {last} (id {deputy_id})"


@deputy_group.command("remove")
@click.argument("deputy_id", type=int)
@click.option("--user", required=True, help="Whose deputy.")
@json_option
def remove_deputy(deputy_id: int, user: str) -> tuple[Any, str]:
    """End one of USER's deputies (by the id `deputy list` shows)."""
    engine().remove_deputy(user, deputy_id)
    return {"id": deputy_id, "removed": True}, f"deputy {deputy_id} of {user} removed"


COMMANDS = [users_group, deputy_group]
