from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from graphene_django.views import GraphQLView


class TenantGraphQLView(LoginRequiredMixin, GraphQLView):
    """The tenant's GraphQL endpoint. Signed-in users for now; partner keys join later."""

    def handle_no_permission(self):
        return JsonResponse(
            {"errors": [{"message": "Authentication required.", "extensions": {"code": "UNAUTHENTICATED"}}]},
            status=401,
        )
