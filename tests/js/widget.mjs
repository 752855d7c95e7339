// The citizen's widget as each frontend version wires its sockets (read from its source), on socket.io-client v4.
// Usage: node widget.mjs '{"url", "version": "63f867f1"|"985c1f40", "entityToken", "sessionId", "tipo",
//                          "response": {the /ask response that filed the ticket}}'
//                          "greet": true to load the page (post `initial_greeting` after connecting, as on a reload),
//                          "headers": {"X-Forwarded-For": the browser's address, as the test's trusted proxy says}}
// Prints JSON lines: {"type": "ready"}, {"type": "room", "room"}, {"type": "shown", "id", "text", "via"},
// {"type": "greeting", "status", "body"}, {"type": "join_error", "data"} (a refused room join), {"type": "typing",
// "value"}, {"type": "answer"}, {"type": "sent", "typing"}, {"type": "dropped"}. Stdin takes JSON lines
// {"send": {"text", ...extra body}}: the citizen types and sends.
//
// Both versions: the bot socket connects with auth {entityToken}, joins the chat session id, and hands `message` /
// `bot_response` payloads to processBotPayload, which drops a payload whose `id` it has already seen (among bot
// payloads only) and otherwise appends it; a payload with `ticket_id` sets the active ticket.
// 63f867f1: ChatPanel opens the ticket-room socket (no auth) for any active ticket.
// 985c1f40: only for a live chat (estado esperando_agente_en_vivo / en_vivo, or en_proceso once live).
// In both, the ticket room's `new_chat_message` is appended as is (no de-duplication).
import { io } from "socket.io-client";

const spec = JSON.parse(process.argv[2] || "{}");
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const LIVE = new Set(["esperando_agente_en_vivo", "en_vivo"]);
const seen = new Set();
let activeTicketId = null;
let liveChatTicketId = null;
let roomSocket = null;

function openRoom(ticketId) {
  if (roomSocket) return;
  // `headers` only stand for the browser's address behind the test's trusted proxy (X-Forwarded-For).
  roomSocket = io(spec.url, { path: "/socket.io", reconnection: false, extraHeaders: spec.headers || {} });
  const room = `ticket_${spec.tipo || "municipio"}_${ticketId}`;
  // The frontend emits without an acknowledgement; the callback only tells the test the join was processed.
  roomSocket.emit("join", { room }, (ack) => out({ type: "room", room, ack }));
  roomSocket.on("join_error", (data) => out({ type: "join_error", data }));
  roomSocket.on("new_chat_message", (data) =>
    out({ type: "shown", id: data.id, text: data.comentario || "", via: "new_chat_message", es_admin: data.es_admin }),
  );
}

let typing = false;
function setTyping(value) {
  if (typing !== value) out({ type: "typing", value });
  typing = value;
}

// pickFirstString over the keys processBotPayload reads, in its order (blank strings do not count).
function textOf(data) {
  for (const key of ["comentario", "message_body", "messageBody", "respuesta", "reply", "texto", "text", "respuesta_usuario"]) {
    if (typeof data[key] === "string" && data[key].trim()) return data[key];
  }
  return undefined;
}

function handle(payload, via, fallbackOnEmpty = true) {
  // processBotPayload: a missing payload draws nothing (63f867f1: an error bubble when falling back on empty).
  if (!payload) {
    if (fallbackOnEmpty) emptyFallback(via);
    return;
  }
  let drawn = 0;
  // processBotPayload: an array, else the `messages` (or `responses`) array, else the payload itself.
  const items = Array.isArray(payload)
    ? payload
    : Array.isArray(payload?.messages)
      ? payload.messages
      : Array.isArray(payload?.responses)
        ? payload.responses
        : [payload];
  for (const data of items) {
    if (!data || typeof data !== "object") continue;
    const ticketId = typeof data.ticket_id === "number" ? data.ticket_id : undefined;
    const estado = data.status || data.estado;
    if (spec.version !== "63f867f1" && estado) {
      const liveMeta = Boolean(data.live_chat || data.liveChat);
      if (LIVE.has(estado) || (estado === "en_proceso" && (liveChatTicketId || liveMeta))) {
        if (ticketId) liveChatTicketId = ticketId;
      }
    }
    const id = data.id ?? data.message_id ?? data.messageId;
    const fingerprint = typeof id === "string" || typeof id === "number" ? `id:${id}` : `fp|${data.respuesta}`;
    if (!seen.has(fingerprint)) {
      seen.add(fingerprint);
      drawn += 1;
      const nonText = (data.botones || []).length > 0 || (data.categorias || []).length > 0 || !!data.attachment_info;
      const text = textOf(data) ?? (nonText ? "" : "⚠️ No se pudo generar una respuesta.");
      if (via !== "http") {
        out({ type: "shown", id, text, via, attachment: data.attachment_info || null, es_admin: true });
      }
    }
    if (ticketId) activeTicketId = ticketId;
  }
  if (drawn > 0) setTyping(false);
  else if (fallbackOnEmpty) emptyFallback(via);
  const roomFor = spec.version === "63f867f1" ? activeTicketId : liveChatTicketId;
  if (roomFor) openRoom(roomFor);
}

function emptyFallback(via) {
  if (spec.version === "63f867f1") {
    out({ type: "shown", id: null, text: "⚠️ No se pudo procesar la respuesta del servidor.", via, es_admin: true });
  }
  setTyping(false);
}

// handleSend: the citizen's own bubble at once, "typing" until an answer draws something (a message sent while
// typing is dropped), the answer handed to processBotPayload falling back on empty only without a bot socket.
// The widget's /ask headers, from the same browser address as its sockets (`headers`).
function askHeaders() {
  return {
    "Content-Type": "application/json",
    "X-Entity-Token": spec.entityToken,
    "X-Chat-Session-Id": spec.sessionId,
    ...(spec.headers || {}),
  };
}

async function send({ text, ...extra }) {
  if (typing) {
    out({ type: "dropped", text });
    return;
  }
  out({ type: "shown", id: null, text, via: "self", es_admin: false });
  setTyping(true);
  const body = { pregunta: text, tipo_chat: spec.tipo || "municipio", ...extra };
  if (spec.version !== "63f867f1" && liveChatTicketId) {
    Object.assign(body, { ticket_id: liveChatTicketId, tipo_ticket: spec.tipo || "municipio" });
  }
  const response = await fetch(`${spec.url}/ask/${spec.tipo || "municipio"}`, {
    method: "POST",
    headers: askHeaders(),
    body: JSON.stringify(body),
  });
  const answer = response.status === 204 ? null : await response.json();
  out({ type: "answer", status: response.status, body: answer });
  handle(answer, "send", !bot.connected);
  out({ type: "sent", text, typing });
}

const bot = io(spec.url, {
  path: "/socket.io",
  transports: ["websocket", "polling"],
  withCredentials: true,
  auth: { entityToken: spec.entityToken },
  reconnection: false,
  extraHeaders: spec.headers || {},
});
// A page load (or reload) with `greet`: like initializeConversation, the widget posts `initial_greeting` once its
// bot socket connected, and shows what the answer carries (items marked "greeting").
async function greet() {
  const response = await fetch(`${spec.url}/ask/${spec.tipo || "municipio"}`, {
    method: "POST",
    headers: askHeaders(),
    body: JSON.stringify({
      pregunta: "",
      action: "initial_greeting",
      contexto_previo: { estado_conversacion: "inicio", datos_reclamo: {}, historial_conversacion: [] },
      tipo_chat: spec.tipo || "municipio",
    }),
  });
  const body = await response.json();
  out({ type: "greeting", status: response.status, body });
  handle(body, "greeting");
}

bot.on("connect", async () => {
  const ack = await bot.timeout(10000).emitWithAck("join", { room: spec.sessionId, channel: "web" });
  if (spec.greet) await greet();
  if (spec.response) handle(spec.response, "http");
  out({ type: "ready", ack, room: roomSocket ? "opening" : null });
});
bot.on("message", (data) => handle(data, "message"));
bot.on("bot_response", (data) => handle(data, "bot_response"));
bot.on("connect_error", (err) => {
  out({ type: "error", message: String(err && err.message) });
  process.exit(1);
});
let buffered = "";
process.stdin.on("data", (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf("\n")) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    const command = JSON.parse(line);
    if (command.send) send(command.send);
  }
});
process.on("SIGTERM", () => {
  bot.close();
  roomSocket?.close();
  process.exit(0);
});
