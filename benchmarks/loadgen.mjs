// Socket.IO load generator: many socket.io-client@4 websocket clients in one Node process.
//
//   node loadgen.mjs '<json config>'
//
// Modes (config.mode):
//   "fanout": connect `clients` sockets spread over `servers`, each joins one room (client i -> rooms[i % rooms]),
//             then runs `phases` of agent messages sent over HTTP (paced: `rate` msgs/s; saturation:
//             `concurrency` requests in flight) and measures every `new_chat_message` delivery.
//             target.kind "ventanilla": POST {base}/tickets/{tipo}/{id}/responder {comentario} with a Bearer token
//             target.kind "emit":       POST {base}/emit {room, event, data} (bare Node / python-socketio servers)
//             One JSON line per phase on stdout.
//   "idle":   connect `clients` sockets (no join), print {"type":"connected"}, keep them open until a line
//             "stop" arrives on stdin (or stdin closes), then print {"type":"idle_done"} and exit.
//
// Latency = time from the HTTP request being sent to the event being received, measured in this process
// (the send timestamp travels in the message text: "bench <phase>#<seq> t=<ms>").
import http from "node:http";
import { performance } from "node:perf_hooks";
import readline from "node:readline";
import { io } from "socket.io-client";

const cfg = JSON.parse(process.argv[2]);
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[idx] * 100) / 100;
}

function stats(values) {
  const arr = Float64Array.from(values).sort();
  return { p50: percentile(arr, 50), p90: percentile(arr, 90), p99: percentile(arr, 99), max: percentile(arr, 100) };
}

// ---- socket clients -------------------------------------------------------------------------------

async function connectAll(n, servers, roomsFor, concurrency, extra = {}) {
  const clients = new Array(n);
  let next = 0;
  let failed = 0;
  const errors = {};
  async function worker() {
    while (next < n) {
      const i = next++;
      const url = servers[Math.floor(i / (cfg.spreadBlock || 1)) % servers.length];
      const socket = io(url, {
        transports: ["websocket"],
        forceNew: true,
        reconnection: false,
        timeout: 20000,
        ...extra,
      });
      const client = { socket, url, room: roomsFor ? roomsFor(i) : null, got: 0, seen: null };
      clients[i] = client;
      try {
        await new Promise((resolve, reject) => {
          socket.once("connect", resolve);
          socket.once("connect_error", reject);
        });
        if (client.room) {
          const ack = await socket.timeout(20000).emitWithAck("join", { room: client.room });
          if (!ack || ack.ok !== true) throw new Error(`join refused: ${JSON.stringify(ack)}`);
        }
      } catch (err) {
        failed++;
        const key = String(err && err.message).slice(0, 80);
        errors[key] = (errors[key] || 0) + 1;
        client.failed = true;
        socket.close();
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { clients, failed, errors };
}

// ---- HTTP -----------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.httpSockets || 64 });

function post(base, path, body, headers = {}) {
  const data = Buffer.from(JSON.stringify(body));
  const url = new URL(path, base);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": data.length, ...headers },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      },
    );
    req.on("error", () => resolve(0));
    req.end(data);
  });
}

// ---- fan-out --------------------------------------------------------------------------------------

async function fanout() {
  const rooms = cfg.rooms;
  const t0 = now();
  const { clients, failed, errors } = await connectAll(
    cfg.clients,
    cfg.servers,
    (i) => rooms[i % rooms.length],
    cfg.connectConcurrency || 100,
  );
  const ok = clients.filter((c) => !c.failed);
  const roomSize = new Map();
  for (const c of ok) roomSize.set(c.room, (roomSize.get(c.room) || 0) + 1);
  out({ type: "connected", clients: ok.length, failed, errors, seconds: Math.round((now() - t0) / 10) / 100 });
  if (!ok.length) return;

  const target = cfg.target;
  const re = /^bench (\S+)#(\d+) t=([\d.]+)/;
  let phase = null;
  for (const c of ok) {
    c.socket.on("new_chat_message", (data) => {
      const text = data && data.comentario;
      if (typeof text !== "string") return;
      const m = re.exec(text);
      if (!m || !phase || m[1] !== phase.name) return;
      const t = now();
      phase.latencies.push(t - Number(m[3]));
      phase.delivered++;
      phase.lastDelivery = t;
      if (phase.track) {
        const seq = Number(m[2]);
        if (c.seen.has(seq)) phase.duplicates++;
        else c.seen.add(seq);
      }
    });
    c.socket.on("disconnect", () => {
      if (phase) phase.disconnects++;
    });
  }

  let rr = 0;
  async function send(ph) {
    const seq = ph.sent++;
    const r = rr++ % rooms.length;
    const base = target.bases[seq % target.bases.length];
    const t = now();
    const comentario = `bench ${ph.name}#${seq} t=${t.toFixed(3)}`;
    let status;
    if (target.kind === "ventanilla") {
      const ticket = target.tickets[r];
      const token = target.tokens[seq % target.tokens.length];
      status = await post(base, `/tickets/${ticket.tipo}/${ticket.id}/responder`, { comentario }, {
        authorization: `Bearer ${token}`,
      });
    } else {
      // Same payload shape and size as Ventanilla's new_chat_message.
      const data = {
        id: seq,
        ticket_id: r,
        comentario,
        texto: comentario,
        es_admin: true,
        autor: "Agente",
        fecha: new Date().toISOString(),
        origen: "chat",
        attachment_info: null,
      };
      status = await post(base, "/emit", { room: rooms[r], event: "new_chat_message", data });
    }
    ph.httpLat.push(now() - t);
    if (status >= 200 && status < 300) {
      ph.okSent++;
      ph.expected += roomSize.get(rooms[r]) || 0;
      if (ph.track) ph.sentByRoom.get(rooms[r]).add(seq);
    } else {
      ph.httpErrors[status] = (ph.httpErrors[status] || 0) + 1;
    }
  }

  for (const spec of cfg.phases) {
    phase = {
      name: spec.name,
      track: Boolean(spec.track),
      sent: 0,
      okSent: 0,
      expected: 0,
      delivered: 0,
      duplicates: 0,
      disconnects: 0,
      latencies: [],
      httpLat: [],
      httpErrors: {},
      lastDelivery: 0,
      sentByRoom: new Map(rooms.map((r) => [r, new Set()])),
    };
    if (phase.track) for (const c of ok) c.seen = new Set();
    const ph = phase;
    const start = now();
    const end = start + spec.duration * 1000;
    const pending = new Set();
    if (spec.rate) {
      // Open loop: messages are sent on schedule whatever the server's response time.
      const interval = 1000 / spec.rate;
      let due = start;
      while (now() < end) {
        while (due <= now() && due < end) {
          const p = send(ph);
          pending.add(p);
          p.finally(() => pending.delete(p));
          due += interval;
        }
        await sleep(Math.max(1, Math.min(10, due - now())));
      }
    } else {
      // Closed loop: `concurrency` requests in flight, as fast as the server answers.
      await Promise.all(
        Array.from({ length: spec.concurrency || 32 }, async () => {
          while (now() < end) await send(ph);
        }),
      );
    }
    const sendEnd = now();
    await Promise.all([...pending]);
    // Drain: wait for the deliveries still in flight (stop early once everything expected arrived).
    const drainUntil = now() + (spec.drain || 5) * 1000;
    while (ph.delivered < ph.expected && now() < drainUntil) await sleep(20);
    const elapsed = Math.max(sendEnd, ph.lastDelivery || sendEnd) - start;
    const lat = stats(ph.latencies);
    const result = {
      type: "phase",
      phase: ph.name,
      mode: spec.rate ? "paced" : "saturation",
      clients: ok.length,
      rooms: rooms.length,
      target_rate: spec.rate || null,
      concurrency: spec.rate ? null : spec.concurrency || 32,
      seconds: Math.round(elapsed) / 1000,
      messages_sent: ph.okSent,
      messages_per_s: Math.round((ph.okSent / (sendEnd - start)) * 1000 * 10) / 10,
      http_errors: ph.httpErrors,
      deliveries_expected: ph.expected,
      deliveries: ph.delivered,
      deliveries_per_s: Math.round((ph.delivered / elapsed) * 1000),
      latency_ms: lat,
      http_latency_ms: stats(ph.httpLat),
      disconnects: ph.disconnects,
    };
    if (ph.track) {
      let missing = 0;
      for (const c of ok) {
        const sent = ph.sentByRoom.get(c.room);
        for (const seq of sent) if (!c.seen.has(seq)) missing++;
        c.seen = null;
      }
      result.duplicates = ph.duplicates;
      result.missing = missing;
      result.exactly_once = missing === 0 && ph.duplicates === 0;
    }
    out(result);
    phase = null;
    await sleep(300);
  }
  for (const c of ok) c.socket.close();
}

// ---- idle -----------------------------------------------------------------------------------------

async function idle() {
  const t0 = now();
  const { clients, failed, errors } = await connectAll(cfg.clients, cfg.servers, null, cfg.connectConcurrency || 100);
  const ok = clients.filter((c) => !c.failed);
  let dropped = 0;
  for (const c of ok) c.socket.on("disconnect", () => dropped++);
  out({ type: "connected", clients: ok.length, failed, errors, seconds: Math.round((now() - t0) / 10) / 100 });
  const rl = readline.createInterface({ input: process.stdin });
  await new Promise((resolve) => {
    rl.on("line", (line) => line.trim() === "stop" && resolve());
    rl.on("close", resolve);
  });
  const connected = ok.filter((c) => c.socket.connected).length;
  out({ type: "idle_done", connected, dropped });
  for (const c of ok) c.socket.close();
}

const main = cfg.mode === "idle" ? idle : fanout;
main()
  .then(() => process.exit(0))
  .catch((err) => {
    out({ type: "error", error: String(err && err.stack ? err.stack : err) });
    process.exit(1);
  });
