"""The light Core handles of ``scheduler.tables`` name real columns of the models, with
the same result types, so the fast read views read what the ORM writes."""

from __future__ import annotations

from scheduler import tables
from scheduler.models import Base


def test_every_light_column_is_a_model_column_of_the_same_type() -> None:
    for light in tables.ALL:
        model = Base.metadata.tables[light.name]
        for column in light.columns:
            assert column.name in model.columns, f"{light.name}.{column.name}"
            stored = model.columns[column.name].type
            assert type(column.type) is type(stored), f"{light.name}.{column.name}"
