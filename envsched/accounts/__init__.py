"""Accounts: users and their roles, passwords and sign-in, API tokens, and the version of
a user's sessions (a change of role or password ends every session signed in before).

``users`` holds users, roles and who may do what; ``tokens`` issues, checks and revokes
API tokens; ``signin`` proves who you are with a password. Other packages and ``web``
call what this face exports (docs/design.md, "Feature packages").
"""

from envsched.accounts.external_users import ExternalClaims, RoleMapping, sign_in
from envsched.accounts.shapes import (
    TeamIn,
    TeamOut,
    TokenIn,
    TokenIssuedOut,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
    UserTeamIn,
)
from envsched.accounts.signin import SignInLimits, authenticate, change_own_password
from envsched.accounts.teams import (
    create_team,
    set_team,
    team_members,
    team_named,
    team_names,
    team_of,
)
from envsched.accounts.tokens import (
    issue_token,
    mark_used,
    revoke_token,
    token_and_user,
    token_expiry,
    user_for_token,
)
from envsched.accounts.users import (
    MIN_PASSWORD,
    create_user,
    end_sessions,
    find_user,
    hash_password,
    set_active,
    set_password,
    set_role,
    update_user,
)

__all__ = [
    "MIN_PASSWORD",
    "ExternalClaims",
    "RoleMapping",
    "SignInLimits",
    "TeamIn",
    "TeamOut",
    "TokenIn",
    "TokenIssuedOut",
    "TokenOut",
    "UserIn",
    "UserOut",
    "UserPatch",
    "UserTeamIn",
    "authenticate",
    "change_own_password",
    "create_team",
    "create_user",
    "end_sessions",
    "find_user",
    "hash_password",
    "issue_token",
    "mark_used",
    "revoke_token",
    "set_active",
    "set_password",
    "set_role",
    "set_team",
    "sign_in",
    "team_members",
    "team_named",
    "team_names",
    "team_of",
    "token_and_user",
    "token_expiry",
    "update_user",
    "user_for_token",
]
