from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django_tenants.utils import schema_context

from kernel import crypto
from kernel.audit import bind_connection


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the newest key of FIELD_ENCRYPTION_KEYS, in every schema. "
        "Rotation: put the new key first, run this, then remove the old key."
    )

    def handle(self, *args, **options):
        from tenants.models import Tenant

        schemas = ["public", *Tenant.objects.values_list("schema_name", flat=True)]
        total = 0
        for schema in schemas:
            with schema_context(schema), transaction.atomic():
                bind_connection(
                    actor_id=None, actor_label="key rotation", client_address=None, request_id=None
                )
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s",
                        [schema],
                    )
                    columns = set(cursor.fetchall())
                    for model, field in crypto.encrypted_fields():
                        table, column = model._meta.db_table, field.column
                        if (table, column) not in columns:
                            continue
                        quoted_table, quoted_column = (
                            connection.ops.quote_name(table),
                            connection.ops.quote_name(column),
                        )
                        cursor.execute(
                            f"SELECT id, {quoted_column} FROM {quoted_table} WHERE {quoted_column} <> ''"
                        )
                        rows = cursor.fetchall()
                        for pk, token in rows:
                            cursor.execute(
                                f"UPDATE {quoted_table} SET {quoted_column} = %s WHERE id = %s",
                                [crypto.rotate(token), pk],
                            )
                        total += len(rows)
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {total} value(s) in {len(schemas)} schema(s)"))
