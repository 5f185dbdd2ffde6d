"""Organisation settings kept in the database (`settings`: one row per key), for what must
outlive a restart and be the same for every process: e.g. how far records have been purged."""

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


def get_setting(key: str, default: str | None = None) -> str | None:
    value = db.session.execute(select(Setting.value).where(Setting.key == key)).scalar()
    return default if value is None else value


def set_setting(key: str, value: str) -> None:
    setting = db.session.get(Setting, key)
    if setting is None:
        db.session.add(Setting(key=key, value=value))
    else:
        setting.value = value


# Months before this one ("YYYY-MM") hold aggregates only: their records were purged.
PURGED_BEFORE = "purged_before"


def purged_before() -> str | None:
    return get_setting(PURGED_BEFORE)
