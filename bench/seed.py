"""Bulk seeding of the benchmark database: 20 owners and N contacts with realistic values.

Rows are generated deterministically (seeded ``random``) and inserted in batches through
SQLAlchemy Core ``executemany`` ("insertmanyvalues"), never one ORM object at a time.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from bench.model import BenchContact
from crm_core.models.auth import Group, User

OWNERS = 20
BATCH = 10_000
FIRST = [
    "Ana",
    "Luis",
    "María",
    "José",
    "Carmen",
    "Javier",
    "Laura",
    "Pablo",
    "Lucía",
    "Sergio",
    "Elena",
    "David",
    "Marta",
    "Jorge",
    "Paula",
    "Carlos",
    "Sara",
    "Miguel",
    "Julia",
    "Andrés",
    "Noelia",
    "Raúl",
    "Irene",
    "Diego",
    "Clara",
    "Hugo",
    "Alba",
    "Rubén",
    "Nuria",
    "Óscar",
]
LAST = [
    "García",
    "Fernández",
    "González",
    "Rodríguez",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Iglesias",
]
COMPANY_A = [
    "Iber",
    "Norte",
    "Sur",
    "Atlántica",
    "Levante",
    "Cantábrica",
    "Meseta",
    "Andaluza",
    "Galaica",
    "Balear",
    "Castellana",
]
COMPANY_B = [
    "Logística",
    "Seguros",
    "Energía",
    "Consultores",
    "Alimentación",
    "Textil",
    "Construcciones",
    "Telecom",
    "Farma",
    "Software",
]
SUFFIX = ("S.A.", "S.L.", "Grupo", "Cooperativa")
CITIES = [
    "Madrid",
    "Barcelona",
    "Valencia",
    "Sevilla",
    "Zaragoza",
    "Málaga",
    "Bilbao",
    "Vigo",
    "Oviedo",
    "Murcia",
    "Palma",
    "Alicante",
]
ASCII = str.maketrans("áéíóúÁÉÍÓÚñÑ", "aeiouAEIOUnN")


def _user(username: str, full_name: str, password_hash: str, group_id: int) -> dict[str, Any]:
    return {
        "username": username,
        "full_name": full_name,
        "email": f"{username}@bench.example",
        "password_hash": password_hash,
        "group_id": group_id,
        "is_admin": False,
        "active": True,
        "language": "en",
        "timezone": "UTC",
        "phone": "",
        "created_at": datetime.now(UTC),
    }


def ensure_owners(engine: Engine, password_hash: str) -> list[int]:
    """Twenty Executive users ``owner01``..``owner20`` (created once); returns their ids."""
    with engine.begin() as conn:
        group_id = conn.scalar(select(Group.id).where(Group.name == "Executives"))
        have = set(conn.scalars(select(User.username)))
        rows = [
            _user(f"owner{i:02d}", f"{FIRST[i]} {LAST[i]}", password_hash, group_id)
            for i in range(1, OWNERS + 1)
            if f"owner{i:02d}" not in have
        ]
        if rows:
            conn.execute(insert(User), rows)
        return list(conn.scalars(select(User.id).where(User.username.like("owner%")).order_by(User.id)))


def ensure_leader(engine: Engine, password_hash: str) -> int:
    """One Leaders-group user ``leader01`` (sees every record), created once; returns its id."""
    with engine.begin() as conn:
        have = conn.scalar(select(User.id).where(User.username == "leader01"))
        if have is not None:
            return have
        group_id = conn.scalar(select(Group.id).where(Group.name == "Leaders"))
        row = _user("leader01", "Leader One", password_hash, group_id)
        return conn.execute(insert(User).returning(User.id), row).scalar_one()


def prepare_app(app: Any) -> tuple[list[int], int]:
    """Migrate the bench's app, add the default groups, the twenty owners and the leader;
    returns ``(owner ids, leader id)``."""
    from crm_core.bootstrap import ensure_groups
    from crm_core.db import unit_of_work
    from crm_core.migrate import upgrade
    from crm_core.security.passwords import hash_password

    upgrade(app)
    with app.app_context(), unit_of_work() as db:
        ensure_groups(db, app.extensions["crm"].registry)
    engine = app.extensions["crm_db"].engine
    password = hash_password("bench-password-1")
    return ensure_owners(engine, password), ensure_leader(engine, password)


def contacts(n: int, owners: list[int], seed: int = 7) -> Iterator[list[dict[str, Any]]]:
    rnd = random.Random(seed)
    now = datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    for i in range(n):
        first, last, last2 = rnd.choice(FIRST), rnd.choice(LAST), rnd.choice(LAST)
        company = f"{rnd.choice(COMPANY_A)} {rnd.choice(COMPANY_B)} {rnd.choice(SUFFIX)}"
        domain = company.split()[0].lower().translate(ASCII)
        owner = owners[i % len(owners)]
        batch.append(
            {
                "uid": str(uuid.UUID(int=rnd.getrandbits(128))),
                "name": f"{first} {last} {last2}",
                "company": company,
                "email": f"{first.lower()}.{last.lower()}{i}@{domain}.example".translate(ASCII),
                "phone": f"+34 6{rnd.randrange(10**8):08d}",
                "city": rnd.choice(CITIES),
                "status": "active" if rnd.random() < 0.7 else "lost",
                "owner_id": owner,
                "creator_id": owner,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(engine: Engine, rows: int, owners: list[int]) -> int:
    """Top the table up to ``rows`` contacts; returns how many were inserted."""
    with engine.connect() as conn:
        have = conn.scalar(select(func.count()).select_from(BenchContact)) or 0
    missing = rows - have
    if missing <= 0:
        return 0
    table = BenchContact.__table__
    for batch in contacts(missing, owners, seed=have + 7):
        with engine.begin() as conn:
            conn.execute(insert(table), batch)
    return missing
