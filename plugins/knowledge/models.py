"""The knowledge base article (EXT-10): a Markdown text about a product, in one language.

The full-text index is not a column of this model: it lives beside the table, per database,
made by the plugin's migration and kept in step by triggers in the same transaction as every
write (``kb_article_fts``: a ``tsvector`` table with a GIN index on PostgreSQL, an FTS5 table
on SQLite; see :mod:`plugins.knowledge.search` and docs/knowledge.md).
"""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.toolkit import Base, CustomFields, Element, list_indexes

#: The grid's text-filter fields (the session's ``search``); a migration follows any change.
SEARCH = ("title", "product", "tags")
#: Languages an article may be written in; each is searched with its own rules where the
#: database has them (``plugins.knowledge.search.TEXT_CONFIGS``).
LANGUAGES = ("en", "es", "ro", "fr", "de", "it", "pt")


class Article(CustomFields, Element, Base):
    __tablename__ = "kb_article"
    __element_type__ = "article"
    __table_args__ = list_indexes("kb_article", "title", include=("language", "published"))

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    product: Mapped[str] = mapped_column(String(120), default="", index=True)
    #: Lower-case tags separated by ", " (``schemas.normalise_tags``); matched whole.
    tags: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    #: Agents see published articles whoever wrote them (the session's ``shared``).
    published: Mapped[bool] = mapped_column(default=False)
    #: For the future customer portal (EXT-13): shown to customers when also published.
    public: Mapped[bool] = mapped_column(default=False)

    __name_fields__ = ("title",)

    def display_name(self) -> str:
        return self.title or f"#{self.id}"

    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(", ") if t]
