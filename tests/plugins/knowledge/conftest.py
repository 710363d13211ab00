"""Fixtures for the knowledge base tests: articles written as their owners would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from plugins.knowledge.models import Article


@pytest.fixture
def add_article(db: Any, users: dict[str, Any]) -> Callable[..., Article]:
    """Insert and commit an article directly (the index follows through the database's triggers)."""

    def make(owner: str, title: str, body: str = "", **values: Any) -> Article:
        user = users[owner]
        article = Article(
            title=title,
            body=body,
            product=values.pop("product", ""),
            tags=values.pop("tags", ""),
            language=values.pop("language", "en"),
            published=values.pop("published", True),
            public=values.pop("public", False),
            owner_id=user.id,
            creator_id=user.id,
            **values,
        )
        db.add(article)
        db.commit()
        return article

    return make
