"""The portal's tables: customers' logins (not CRM users), their single-use links and codes,
the public thread of a case, and the web-to-lead forms with their submissions (EXT-13, EXT-08).

A portal user belongs to a contact and, through it, to one account: every portal query is
bounded by ``account_id`` (:mod:`plugins.portal.scope`). Tokens are stored as SHA-256 digests,
so a copy of the table opens nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.toolkit import Base, Element, UTCDateTime, list_indexes, utcnow

TOKEN_PURPOSES = ("invite", "reset", "code")


class PortalUser(Base):
    """A contact's login to the portal. ``password_hash`` is empty until the invitation is
    used; ``session_generation`` ends every portal session of the user when raised (logout,
    password set or reset), as the staff login's does."""

    __tablename__ = "portal_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("sales_contact.id"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("sales_account.id"), index=True)
    #: Lower-case; the login name.
    email: Mapped[str] = mapped_column(String(255), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The optional second factor: a one-time code by e-mail after the password.
    second_factor: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8), default="en")
    session_generation: Mapped[int] = mapped_column(default=0)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PortalToken(Base):
    """A single-use secret: an invitation or reset link, or a sign-in code. Used or expired,
    it opens nothing; issuing a new one of a purpose retires the older ones."""

    __tablename__ = "portal_token"
    __table_args__ = (Index("ix_portal_token_user_purpose", "portal_user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_user_id: Mapped[int] = mapped_column(ForeignKey("portal_user.id"))
    purpose: Mapped[str] = mapped_column(String(10))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: Random text hashed with a sign-in code, so equal codes never share a digest.
    salt: Mapped[str] = mapped_column(String(32), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Wrong codes typed against this token (a code dies after a few).
    failures: Mapped[int] = mapped_column(default=0)


class PortalComment(Base):
    """One entry of a case's public thread: what the customer wrote on the portal, or what an
    agent answered publicly. Internal notes never appear here."""

    __tablename__ = "portal_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id"), index=True)
    portal_user_id: Mapped[int | None] = mapped_column(ForeignKey("portal_user.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebForm(Element, Base):
    """A public web-to-lead form (EXT-08): which fields of the target session it asks, their
    labels, the thank-you text, and the owner of what it creates (the form's owner)."""

    __tablename__ = "portal_webform"
    __element_type__ = "webform"
    __table_args__ = list_indexes("portal_webform", "name", include=("status", "slug"))

    name: Mapped[str] = mapped_column(String(120))
    #: The public address: ``/forms/<slug>``.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    target_session: Mapped[str] = mapped_column(String(60), default="leads")
    #: Field names of the target session's schema, in order, separated by ", ".
    field_list: Mapped[str] = mapped_column(String(500), default="name, email")
    #: ``field = label`` lines overriding the schema's labels.
    labels: Mapped[str] = mapped_column(Text, default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    thank_you: Mapped[str] = mapped_column(Text, default="")
    #: Sites allowed to embed the form in a frame (CSP ``frame-ancestors``), separated by spaces.
    embed_origins: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")

    def display_name(self) -> str:
        return self.name


class WebFormSubmission(Base):
    """One accepted submission, with its source: the form, the referring page and the UTM
    parameters; ``duplicate`` when it was linked to a lead that already existed."""

    __tablename__ = "portal_webform_submission"
    __table_args__ = (Index("ix_portal_webform_submission_address_at", "address", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("portal_webform.id"), index=True)
    element_type: Mapped[str] = mapped_column(String(40))
    element_id: Mapped[int] = mapped_column()
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    referrer: Mapped[str] = mapped_column(String(500), default="")
    utm: Mapped[dict] = mapped_column(JSON, default=dict)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
