from django.urls import path

from boardpack import views

urlpatterns = [
    path("dashboard/board-pack.pdf", views.board_pack, name="board_pack"),
    path("dashboard/board-packs/<int:pack_id>/", views.board_pack_status, name="board_pack_status"),
    path(
        "dashboard/board-packs/<int:pack_id>.pdf",
        views.board_pack_download,
        name="board_pack_download",
    ),
]
