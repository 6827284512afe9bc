"""The kernel: module registry, tenant context, jobs, outbox, files, observability, GraphQL."""
