"""Portal pages for locations: the building directory, floor lists, QR scans and labels."""

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control

from modules.spaces import selectors


@login_required
def index(request):
    return render(request, "spaces/index.html", {"campuses": selectors.campuses_with_buildings(request.user)})


@login_required
def building_detail(request, pk: int):
    building = get_object_or_404(selectors.visible_buildings(request.user), pk=pk, is_active=True)
    return render(
        request,
        "spaces/building.html",
        {"building": building, "floors": selectors.building_floor_list(building, request.user)},
    )


def scan(request, token: str):
    """Where a QR code on a door leads: what this place is (later: report a fault here).

    Public on purpose: a visitor scanning a door sees its name and where it is, nothing more.
    """
    location = selectors.location_by_token(token)
    if location is None or not location.is_active:
        raise Http404("unknown location code")
    return render(request, "spaces/scan.html", {"location": location, "path": location.path()})


@cache_control(max_age=86400, private=True)
def qr_svg(request, token: str):
    location = selectors.location_by_token(token)
    if location is None:
        raise Http404("unknown location code")
    svg = segno.make(request.build_absolute_uri(location.qr_path), error="m").svg_inline(scale=4, border=2)
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
def labels(request, pk: int):
    """A printable A4 sheet of QR labels for every room of a building."""
    building = get_object_or_404(selectors.visible_buildings(request.user), pk=pk)
    labels = []
    for floor in selectors.building_floor_list(building, request.user).reverse():
        for room in floor.rooms.all():
            url = request.build_absolute_uri(room.qr_path)
            labels.append(
                {
                    "room": room,
                    "floor": floor,
                    "svg": segno.make(url, error="m").svg_inline(scale=3, border=1),
                }
            )
    return render(request, "spaces/labels.html", {"building": building, "labels": labels})
