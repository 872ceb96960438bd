"""Stacks: environments booked together (``UAT-3`` = the UAT-3 application and its
database). An environment belongs to at most one stack; a stack's name is no
environment's, so a plan can name either. Environment managers and admins keep them
(``stacks:write``); booking a stack is ``booking.book_stack``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session, col, select

from envsched import audit
from envsched.db import SessionFactory
from envsched.errors import InvalidInput, NotFound
from envsched.inventory.names import check_name, natural_key
from envsched.inventory.shapes import StackIn, StackOut
from envsched.models import Environment, Phase, Stack, StackMember, User
from envsched.permissions import require


def stacks(session: Session) -> list[StackOut]:
    """Every stack with its members' names, in natural order of the names."""
    members: dict[int, list[str]] = {}
    rows = session.exec(
        select(StackMember.stack_id, Environment.name).join(
            Environment, col(Environment.id) == StackMember.environment_id
        )
    ).all()
    for stack_id, name in rows:
        members.setdefault(stack_id, []).append(name)
    found = [
        StackOut(
            name=s.name,
            description=s.description,
            members=sorted(members.get(s.id or 0, []), key=natural_key),
        )
        for s in session.exec(select(Stack)).all()
    ]
    return sorted(found, key=lambda s: natural_key(s.name))


def stack_named(session: Session, name: str, field: str = "stack") -> Stack:
    found = session.exec(select(Stack).where(Stack.name == name)).first()
    if found is None:
        raise NotFound("stack", name, field=field)
    return found


def stack_members(session: Session, stack: Stack) -> list[Environment]:
    """The stack's environments, by id (the order their rows are locked in)."""
    return list(
        session.exec(
            select(Environment)
            .join(StackMember, col(StackMember.environment_id) == Environment.id)
            .where(StackMember.stack_id == stack.id)
            .order_by(col(Environment.id))
        ).all()
    )


def serves(env: Environment, phase: Phase) -> bool:
    """The rule of which member of a stack serves a phase: one of the phase's
    environment type with every tag it needs. Booking a stack for a phase, the phases
    the stack's page offers, and the stacks a phase may name all ask it."""
    return env.type_id == phase.type_id and set(phase.required_tags) <= set(env.tags)


def serving_member(members: Sequence[Environment], phase: Phase) -> Environment | None:
    """The first of ``members`` that serves ``phase``; None when none does."""
    return next((env for env in members if serves(env, phase)), None)


def stack_of(session: Session, env: Environment) -> Stack | None:
    """The stack an environment belongs to, if any."""
    return session.exec(
        select(Stack)
        .join(StackMember, col(StackMember.stack_id) == Stack.id)
        .where(StackMember.environment_id == env.id)
    ).first()


def create_stack(
    sessions: SessionFactory, data: StackIn, *, actor: User | None, now: dt.datetime
) -> StackOut:
    """A new stack of ``data.members`` (known environments, each in no other stack)."""
    require(actor, "stacks:write")
    check_name(data.name)
    with sessions.begin() as session:
        if session.exec(select(Stack).where(Stack.name == data.name)).first() is not None:
            raise InvalidInput("name", f"there is already a stack named {data.name}")
        if session.exec(select(Environment).where(Environment.name == data.name)).first():
            raise InvalidInput("name", f"{data.name} is an environment's name; pick another")
        envs = _members(session, data.members)
        stack = Stack(name=data.name, description=data.description)
        session.add(stack)
        session.flush()
        for env in envs:
            session.add(StackMember(stack_id=stack.id or 0, environment_id=env.id or 0))
        audit.record(
            session,
            actor=actor,
            now=now,
            action="create",
            row=stack,
            after={"name": stack.name, "members": [e.name for e in envs]},
        )
    return StackOut(
        name=data.name,
        description=data.description,
        members=sorted((e.name for e in envs), key=natural_key),
    )


def _members(session: Session, names: list[str]) -> list[Environment]:
    if not names:
        raise InvalidInput("members", "a stack needs at least one environment")
    envs = []
    for name in names:
        env = session.exec(select(Environment).where(Environment.name == name)).first()
        if env is None:
            raise InvalidInput("members", f"there is no environment named {name}")
        if env in envs:
            raise InvalidInput("members", f"{name} is listed twice")
        other = stack_of(session, env)
        if other is not None:
            raise InvalidInput("members", f"{name} already belongs to the stack {other.name}")
        envs.append(env)
    return envs


def delete_stack(
    sessions: SessionFactory, name: str, *, actor: User | None, now: dt.datetime
) -> None:
    """Remove a stack; its environments and their bookings stay as they are (no longer
    tied together)."""
    require(actor, "stacks:write")
    with sessions.begin() as session:
        stack = stack_named(session, name)
        for member in session.exec(select(StackMember).where(StackMember.stack_id == stack.id)):
            session.delete(member)
        audit.record(session, actor=actor, now=now, action="delete", row=stack)
        session.delete(stack)
