"""Users, groups, per-session permissions, API tokens and login attempts (CORE-01..04)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.db import Base
from crm_core.models.types import UTCDateTime, utcnow

ACTIONS = ("view", "modify", "change_owner")


class Group(Base):
    __tablename__ = "crm_group"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    #: Leaders may switch to "all records" like administrators (CORE-05) and erase (CORE-21).
    sees_all: Mapped[bool] = mapped_column(Boolean, default=False)

    users: Mapped[list[User]] = relationship(back_populates="group")
    permissions: Mapped[list[Permission]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )


class User(Base):
    __tablename__ = "crm_user"
    __audited__ = True
    #: The history says "password changed", never the hash.
    __audit_secret__: ClassVar[frozenset[str]] = frozenset({"password_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(10), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    group_id: Mapped[int] = mapped_column(ForeignKey("crm_group.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Raised to end every session cookie issued so far (``crm_core.security.sessions``).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    group: Mapped[Group] = relationship(back_populates="users", lazy="joined")

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """``"<id>:<session generation>"``: the session cookie dies with its generation."""
        return f"{self.id}:{self.session_generation or 0}"

    def display_name(self) -> str:
        return shown_name(self.full_name, self.username)


def shown_name(full_name: str | None, username: str) -> str:
    """How screens name a user: the full name, else the login. For code that reads the two
    columns without loading the user (a grid page's joined owners)."""
    return full_name or username


class Permission(Base):
    """One row per (group, session): what members of the group may do there (CORE-04)."""

    __tablename__ = "crm_permission"
    __table_args__ = (UniqueConstraint("group_id", "session"),)
    __audited__ = True
    __audit_exclude__: ClassVar[frozenset[str]] = frozenset({"group_id"})
    __audit_keep__ = ("session_name",)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("crm_group.id", ondelete="CASCADE"))
    session_name: Mapped[str] = mapped_column("session", String(80))
    can_view: Mapped[bool] = mapped_column(Boolean, default=False)
    can_modify: Mapped[bool] = mapped_column(Boolean, default=False)
    can_change_owner: Mapped[bool] = mapped_column(Boolean, default=False)

    group: Mapped[Group] = relationship(back_populates="permissions")

    def audit_target(self) -> tuple[str, int]:
        """A permission's changes show in its group's history."""
        return Group.__tablename__, self.group_id


class ApiToken(Base):
    """A personal API token; only its SHA-256 is stored, the secret is shown once."""

    __tablename__ = "crm_api_token"
    __audited__ = True
    #: Created and revoked are recorded; the hash is never, nor each use.
    __audit_exclude__: ClassVar[frozenset[str]] = frozenset({"user_id", "token_hash", "last_used_at"})
    __audit_keep__ = ("name", "prefix")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()

    def audit_target(self) -> tuple[str, int]:
        """A token's creation and revocation show in its user's history."""
        return User.__tablename__, self.user_id


class LoginAttempt(Base):
    """Failed logins, counted per account and per address for throttling (CORE-01)."""

    __tablename__ = "crm_login_attempt"
    __table_args__ = (
        Index("ix_crm_login_attempt_username_at", "username", "at"),
        Index("ix_crm_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KnownSession(Base):
    """A session this database has already given its default permissions for.

    Default rights are granted once, when a session first appears (a plugin enabled later),
    so a right an administrator removed is never granted again by ``crm init`` or a restart.
    """

    __tablename__ = "crm_known_session"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FieldAccess(Base):
    """One row per (group, session, field) an administrator restricted on Configuration → Fields:
    the field is ``hidden`` from the group's members or ``read_only`` for them (EXT-16)."""

    __tablename__ = "crm_field_access"
    __table_args__ = (UniqueConstraint("group_id", "session_name", "field_name"),)
    __audited__ = True
    __audit_exclude__: ClassVar[frozenset[str]] = frozenset({"group_id"})
    __audit_keep__ = ("session_name", "field_name")

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("crm_group.id", ondelete="CASCADE"))
    session_name: Mapped[str] = mapped_column(String(80))
    field_name: Mapped[str] = mapped_column(String(80))
    mode: Mapped[str] = mapped_column(String(20))

    def audit_target(self) -> tuple[str, int]:
        """A field rule's changes show in its group's history, like its permissions."""
        return Group.__tablename__, self.group_id
