// A Socket.IO peer built on the frontend's own library (socket.io-client v4), driven by the Python tests.
// Usage: node client.mjs '{"url": "...", "auth": {...}, "headers": {...}, "transports": [...], "join": "room"}'
// Optional: "query" {...}; "emits" [{"name", "data"}] sent (with ack) after connecting, acks in "ready";
// later emits as JSON lines on stdin {"emit": name, "data": ...} -> {"type": "ack", "name", "ack"}.
// Prints one JSON object per line: {"type": "ready"}, {"type": "event", "name", "data"}, {"type": "error"}.
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const spec = JSON.parse(process.argv[2] || "{}");
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

const socket = io(spec.url, {
  path: "/socket.io",
  transports: spec.transports || ["websocket"],
  withCredentials: true,
  auth: spec.auth,
  query: spec.query,
  extraHeaders: spec.headers || {},
  reconnection: false,
  timeout: 10000,
});

socket.onAny((name, data) => out({ type: "event", name, data }));

socket.on("connect", async () => {
  let ack = null;
  if (spec.join) {
    ack = await socket.timeout(10000).emitWithAck("join", { room: spec.join, channel: spec.channel || "web" })
      .catch((err) => ({ ok: false, error: String(err) }));
  }
  const acks = [];
  for (const item of spec.emits || []) {
    acks.push(await socket.timeout(10000).emitWithAck(item.name, item.data)
      .catch((err) => ({ ok: false, error: String(err) })));
  }
  out({ type: "ready", id: socket.id, transport: socket.io.engine.transport.name, ack, acks });
});

createInterface({ input: process.stdin }).on("line", async (line) => {
  const command = JSON.parse(line);
  const ack = await socket.timeout(10000).emitWithAck(command.emit, command.data)
    .catch((err) => ({ ok: false, error: String(err) }));
  out({ type: "ack", name: command.emit, ack });
});

socket.on("connect_error", (err) => {
  out({ type: "error", message: String(err && err.message) });
  process.exit(1);
});

socket.on("disconnect", (reason) => out({ type: "disconnect", reason }));

process.on("SIGTERM", () => {
  socket.close();
  process.exit(0);
});
