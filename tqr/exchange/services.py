"""Writing a data source (数据来源) and its column mapping; imports and exports live in importing/exporting."""

from __future__ import annotations

from django.db import transaction

from tqr.audit.services import record
from tqr.exchange.models import DataSource

MAPPING_FIELDS = ("name", "kind", "file_format", "sheet_name", "header_row", "id_column", "name_column",
                  "year_column", "value_column", "grade_values")


@transaction.atomic
def source_save(*, source: DataSource, actor) -> DataSource:
    """Create or change a source (its district set by the caller); audited with the mapping it now has."""
    created = source.pk is None
    source.updated_by = actor
    source.full_clean()
    source.save()
    record("exchange.source_create" if created else "exchange.source_update", actor=actor, obj=source,
           data={name: getattr(source, name) for name in MAPPING_FIELDS})
    return source
