"""The one decision on dates: which (view, field) is sent PANEL_DATE_SHIFT_HOURS later, so each view reads it right."""

from __future__ import annotations

import datetime as dt

import pytest

from ventanilla.tickets.schemas import DateField, View, date_shift

T, H, M = DateField.TICKET, DateField.HISTORY, DateField.MESSAGE


@pytest.mark.parametrize(
    ("view", "shifted"),
    [
        (View.PANEL_LIST, {T}),  # TicketListItem: fecha − 3 h
        (View.PANEL_DETAIL, {T, H}),  # header, status bar, accordion statuses; the conversation reads messages as is
        (View.CITIZEN_DETAIL, {H}),  # ChatPage "Creado el" reads fecha as is
        (View.LOOKUP, {T, H, M}),  # TicketLogisticsSummary and TicketTimeline shift everything they show
        (View.TIMELINE, {H, M}),  # TicketTimeline only
        (View.CONVERSATION, set()),  # /mensajes, replies, socket events, the widget
    ],
)
def test_each_view_shape(view: View, shifted: set[DateField]) -> None:
    for field in DateField:
        expected = dt.timedelta(hours=3) if field in shifted else dt.timedelta(0)
        assert date_shift(view, field, 3.0) == expected, (view, field)


def test_the_setting_is_the_amount() -> None:
    assert date_shift(View.PANEL_LIST, T, 0) == dt.timedelta(0)
    assert date_shift(View.PANEL_LIST, T, 2.5) == dt.timedelta(hours=2.5)
