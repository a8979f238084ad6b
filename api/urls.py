from django.urls import path

from api import views
from api.main import api

urlpatterns = [
    path("api/v1/docs", views.docs, name="api_docs"),
    path("api/v1/", api.urls),
    path("account/api-tokens/", views.tokens_page, name="api_tokens"),
    path("account/api-tokens/<int:token_id>/revoke/", views.revoke, name="api_token_revoke"),
]
