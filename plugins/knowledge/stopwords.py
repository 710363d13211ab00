"""The commonest function words of the bundled languages, left out of *suggestion* queries on
SQLite, whose FTS5 index has no stop words (PostgreSQL's text search configurations drop them
by the language's own list). Without them "the" or "de" in a case subject would outrank the
words that matter. Taken from the Snowball stop-word lists (BSD), most frequent entries only."""

from __future__ import annotations

STOP_WORDS = frozenset(
    # English
    "the and for are but not you all any can had her was one our out has him his how its may new now old see two "
    "way who did get let put say she too use that with have this will your from they been more when were what "
    "which their there about would into than them then these some could other after also since does just very "
    # Spanish
    "los las del que por con una para como más pero sus les ese esa eso este esta esto ese han hay muy sin sobre "
    "ser son fue era está están desde todo todos también cuando donde quien porque entre hasta ante tras nos "
    # Romanian
    "care din pentru este sunt sau mai cum dar fie prin într dintr după acest această acum unde cea cel "
    # French, German, Italian, Portuguese
    "les des une est pas pour dans sur avec qui que aux par plus der die das und ist nicht mit den dem ein eine "
    "zu von che non per con una sono della dei delle não uma com para pela pelo dos das".split()
)
