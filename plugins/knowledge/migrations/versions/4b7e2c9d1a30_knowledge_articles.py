"""knowledge articles and their full-text index

Revision ID: 4b7e2c9d1a30
Revises:
Create Date: 2026-11-30 07:10:00

The full-text index (``kb_article_fts``) is made per database and kept in step by triggers, so
every write path (screens, API, imports, bulk loads) updates it in its own transaction:

* PostgreSQL: a table of ``tsvector`` documents — ``head`` (title, tags, product: small, ranked
  first) and ``document`` (everything) — with GIN indexes, built with the text search
  configuration of the article's language (``kb_text_config(language)``; ``simple`` where the
  server has no configuration for it), title weighted A, tags and product B, body C. Where the
  ``unaccent`` extension is available (a trusted contrib extension), the configurations are
  ``kb_<name>`` copies that drop accents before stemming.
* SQLite: an FTS5 table over the article's columns (external content), diacritics folded.
"""

from alembic import op
import sqlalchemy as sa
import crm_core.models.types

from crm_core.toolkit import create_search_index, drop_search_index

revision = "4b7e2c9d1a30"
down_revision = None
branch_labels = ("knowledge",)
depends_on = "c3f5a7d9e1b2"

#: The articles session's search fields, in order (plugins/knowledge/models.py).
SEARCH = ("title", "product", "tags")
#: Article language → PostgreSQL text search configuration (snowball stemmers and stop words).
TEXT_CONFIGS = {
    "en": "english", "es": "spanish", "ro": "romanian", "fr": "french",
    "de": "german", "it": "italian", "pt": "portuguese",
}
FTS_COLUMNS = ("title", "tags", "product", "body")


def upgrade() -> None:
    op.create_table(
        "kb_article",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("product", sa.String(length=120), nullable=False),
        sa.Column("tags", sa.String(length=500), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", crm_core.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", crm_core.models.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["creator_id"], ["crm_user.id"], name=op.f("fk_kb_article_creator_id_crm_user")),
        sa.ForeignKeyConstraint(["owner_id"], ["crm_user.id"], name=op.f("fk_kb_article_owner_id_crm_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_article")),
        sa.UniqueConstraint("uid", name=op.f("uq_kb_article_uid")),
    )
    op.create_index(op.f("ix_kb_article_owner_id"), "kb_article", ["owner_id"])
    op.create_index(op.f("ix_kb_article_product"), "kb_article", ["product"])
    op.create_index(
        "ix_kb_article_own_title", "kb_article", ["owner_id", "title", "id"], postgresql_include=["language", "published"]
    )
    op.create_index("ix_kb_article_all_title", "kb_article", ["title", "id"], postgresql_include=["language", "published"])
    create_search_index("kb_article", SEARCH)
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_index()
    else:
        _sqlite_index()


def _postgresql_index() -> None:
    bind = op.get_bind()
    present = set(bind.scalars(sa.text("SELECT cfgname FROM pg_ts_config")))
    configs = {code: name if name in present else "simple" for code, name in TEXT_CONFIGS.items()}
    prefix = ""
    if bind.scalar(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")):
        _unaccented(set(configs.values()))
        prefix = "kb_"
    cases = " ".join(f"WHEN '{code}' THEN '{prefix}{name}'::regconfig" for code, name in configs.items())
    op.execute(
        "CREATE FUNCTION kb_text_config(language text) RETURNS regconfig IMMUTABLE PARALLEL SAFE "
        f"LANGUAGE sql AS $$ SELECT CASE $1 {cases} ELSE '{prefix}simple'::regconfig END $$"
    )
    op.execute(
        "CREATE TABLE kb_article_fts ("
        " article_id integer PRIMARY KEY REFERENCES kb_article (id) ON DELETE CASCADE,"
        " language varchar(8) NOT NULL,"
        " head tsvector NOT NULL,"
        " document tsvector NOT NULL)"
    )
    op.execute("CREATE INDEX ix_kb_article_fts_head ON kb_article_fts USING gin (head)")
    op.execute("CREATE INDEX ix_kb_article_fts_document ON kb_article_fts USING gin (document)")
    op.execute(
        """
        CREATE FUNCTION kb_article_fts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          cfg regconfig := kb_text_config(NEW.language);
          head tsvector := setweight(to_tsvector(cfg, NEW.title), 'A')
              || setweight(to_tsvector(cfg, replace(NEW.tags, ',', ' ')), 'B')
              || setweight(to_tsvector(cfg, NEW.product), 'B');
        BEGIN
          INSERT INTO kb_article_fts (article_id, language, head, document)
          VALUES (NEW.id, NEW.language, head, head || setweight(to_tsvector(cfg, NEW.body), 'C'))
          ON CONFLICT (article_id) DO UPDATE
            SET language = EXCLUDED.language, head = EXCLUDED.head, document = EXCLUDED.document;
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER kb_article_fts_sync AFTER INSERT OR UPDATE OF title, tags, product, body, language "
        "ON kb_article FOR EACH ROW EXECUTE FUNCTION kb_article_fts_sync()"
    )


def _unaccented(names: set[str]) -> None:
    """Copies ``kb_<name>`` of the stock configurations whose words lose their accents before
    stemming (``domiciliacion`` finds ``domiciliación``), plus ``kb_simple`` for other languages."""
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    for name in names | {"simple"}:
        stem = "simple" if name == "simple" else f"{name}_stem"
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION kb_{name} (COPY = pg_catalog.{name})")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION kb_{name} ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stem}"
        )


def _sqlite_index() -> None:
    cols = ", ".join(FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    op.execute(
        f"CREATE VIRTUAL TABLE kb_article_fts USING fts5({cols}, content='kb_article', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER kb_article_fts_insert AFTER INSERT ON kb_article BEGIN "
        f"INSERT INTO kb_article_fts (rowid, {cols}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER kb_article_fts_delete AFTER DELETE ON kb_article BEGIN "
        f"INSERT INTO kb_article_fts (kb_article_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER kb_article_fts_update AFTER UPDATE OF {cols} ON kb_article BEGIN "
        f"INSERT INTO kb_article_fts (kb_article_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO kb_article_fts (rowid, {cols}) VALUES (new.id, {new}); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS kb_article_fts_sync ON kb_article")
        op.execute("DROP FUNCTION IF EXISTS kb_article_fts_sync()")
        op.execute("DROP TABLE IF EXISTS kb_article_fts")
        op.execute("DROP FUNCTION IF EXISTS kb_text_config(text)")
        for name in {*TEXT_CONFIGS.values(), "simple"}:
            op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_{name}")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS kb_article_fts_{name}")
        op.execute("DROP TABLE IF EXISTS kb_article_fts")
    drop_search_index("kb_article")
    op.drop_index("ix_kb_article_all_title", table_name="kb_article")
    op.drop_index("ix_kb_article_own_title", table_name="kb_article")
    op.drop_index(op.f("ix_kb_article_product"), table_name="kb_article")
    op.drop_index(op.f("ix_kb_article_owner_id"), table_name="kb_article")
    op.drop_table("kb_article")
