"""The commonest function words of the bundled languages, left out of *suggestion* queries on
SQLite, whose FTS5 index has no stop words (PostgreSQL's text search configurations drop them
by the language's own list). Without them "the" or "de" in a case subject would outrank the
words that matter. Taken from the Snowball stop-word lists (BSD), most frequent entries only."""

from __future__ import annotations

_LISTS = {
    "en": "the and for are but not you all any can had her was one our out has him his how its may new now old see "
          "two way who did get let put say she too use that with have this will your from they been more when were "
          "what which their there about would into than them then these some could other after also since does just "
          "very",
    "es": "los las del que por con una para como más pero sus les ese esa eso este esta esto han hay muy sin sobre "
          "ser son fue era está están desde todo todos también cuando donde quien porque entre hasta ante tras nos",
    "ro": "care din pentru este sunt sau mai cum dar fie prin într dintr după acest această acum unde cea cel",
    "fr": "les des une est pas pour dans sur avec qui que aux par plus",
    "de": "der die das und ist nicht mit den dem ein eine von",
    "it": "che non per con una sono della dei delle",
    "pt": "não uma com para pela pelo dos das",
}
STOP_WORDS = frozenset(word for words in _LISTS.values() for word in words.split())
