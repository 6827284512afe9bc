from tenants.management.commands.enable_module import Command as EnableCommand


class Command(EnableCommand):
    help = "Switch a module off for a tenant (its data stays)."
    enabled = False
