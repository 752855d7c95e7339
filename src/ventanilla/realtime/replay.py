"""A reloaded widget rejoining its live chat's room gets the conversation again, each line on its side, each
attachment drawn."""

from __future__ import annotations

import socketio

from ventanilla.chat import repository as chats
from ventanilla.chat import service as livechat
from ventanilla.context import AppContext
from ventanilla.realtime import rooms
from ventanilla.realtime.presence import Presence
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets import schemas


async def on_ticket_room(
    ctx: AppContext, sio: socketio.AsyncServer, presence: Presence, sid: str, room: str, browser: str
) -> int:
    """Send the ticket's last messages to a room socket when its widget was just reloaded on that live chat.

    Both widget versions show the room's `new_chat_message` on the citizen's side when `es_admin` is false, and
    nothing else they read can: so a reloaded widget's greeting names who is on the other side, and the
    conversation comes here, once (the session's mark is taken), to the room socket of the browser whose bot socket
    sits in the chat session's room. That room handler draws `comentario` alone, so from the first message with an
    attachment on, the conversation goes to that browser's bot socket instead, as `message` with `attachment_info`
    (a picture or a file card), as it came live. Returns how many messages were sent."""
    ref = rooms.parse_ticket_room(room)
    if ref is None:
        return 0
    async with ctx.uow() as uow:
        ticket = await tickets_repo.get(uow.session, ref[1])
        key = ticket.chat_session_key if ticket is not None else None
        if ticket is None or key is None:
            return 0
        bots = [
            bot
            for bot, owner in (await presence.attendees(rooms.session_room(ticket.entity_id, key))).items()
            if owner == browser
        ]
        if not bots:
            return 0
        chat = await chats.get_session(uow.session, ticket.entity_id, key)
        if chat is None or not livechat.take_resumed(chat, ticket.id):
            return 0
        history = await tickets_repo.recent_messages(uow.session, ticket.id, livechat.RESUMED_MESSAGES)
        await uow.commit()
        estado = ticket.estado
    # Two sockets keep no order between them, and the room's frames come first: so the room gets the lines before the
    # first attachment and the bot socket everything from it on, each in order.
    first = next((i for i, m in enumerate(history) if schemas.shown_attachment(m.attachment)), len(history))
    for message in history[:first]:
        await sio.emit("new_chat_message", schemas.chat_message_event(message, estado=estado), to=sid)
    for message in history[first:]:
        for bot in bots:
            await sio.emit("message", schemas.widget_replay_item(ticket, message), to=bot)
    return len(history)
