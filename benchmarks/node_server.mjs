// Bare Node socket.io 4.8 reference server: the same wire protocol the load generator uses against
// Ventanilla, and nothing else (no auth, no database).
//   socket event `join {room}`           -> joins the room, acks {ok: true}
//   POST /emit {room, event, data}       -> io.to(room).emit(event, data); 200 {"ok":true}
// Usage: node node_server.mjs PORT   (prints "listening PORT" once ready)
import http from "node:http";
import { Server } from "socket.io";

const port = Number(process.argv[2] || 0);

const httpServer = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/emit") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400).end();
        return;
      }
      io.to(body.room).emit(body.event || "new_chat_message", body.data);
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    return;
  }
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  if (!req.url.startsWith("/socket.io")) res.writeHead(404).end();
});

const io = new Server(httpServer, {
  cors: { origin: "*" },
  pingInterval: 25000,
  pingTimeout: 20000,
  serveClient: false,
});

io.on("connection", (socket) => {
  socket.on("join", (data, ack) => {
    const room = typeof data === "string" ? data : data && data.room;
    if (typeof room === "string" && room) socket.join(room);
    if (typeof ack === "function") ack({ ok: true });
  });
});

httpServer.keepAliveTimeout = 65000;
httpServer.listen(port, "127.0.0.1", () => {
  console.log(`listening ${httpServer.address().port}`);
});

const stop = () => {
  io.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
