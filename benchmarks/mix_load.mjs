// The realistic mix: `conversations` widget conversations at once, each `turns` requests in a row (closed loop,
// the next request as soon as the previous answer arrived). Half go through the bot's intake of a complaint
// (greeting, the problem, the address, name, contact, ...: the state is kept by the server per chat session);
// the other half ask for a person (`request_agent`, which opens a live-chat ticket) and then chat: the citizen
// writes (`responder_ciudadano`), an agent answers (`/responder` with a Bearer token) and the citizen's page
// fetches the new messages (`/mensajes`).
//
//   node mix_load.mjs '{"base": "http://127.0.0.1:PORT", "entityToken": "...", "tokens": ["..."],
//                       "conversations": 200, "turns": 10, "sessionPrefix": "mix", "rounds": 1}'
//
// Prints one JSON line: requests, answered (2xx), statuses, requests/s, latency percentiles overall and by kind.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { createHash } from "node:crypto";

// The widgets send a UUID as X-Chat-Session-Id (the server refuses anything else): a stable one per name.
function sessionId(name) {
  const hex = createHash("sha1").update(`ventanilla-bench:${name}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const cfg = JSON.parse(process.argv[2]);
const base = new URL(cfg.base);
const conversations = cfg.conversations || 200;
const turns = cfg.turns || 10;
const rounds = cfg.rounds || 1;
const prefix = cfg.sessionPrefix || "mix";
const agent = new http.Agent({ keepAlive: true, maxSockets: conversations });

const INTAKE = [
  "Quiero hacer un reclamo",
  "Hay un bache enorme en la calle, ya se rompieron dos autos",
  "Av. San Martín 1234",
  "Juan Pérez",
  "juan.perez@example.org",
  "sí",
  "Gracias",
  "¿Cuánto tarda en resolverse?",
  "Está frente a la escuela",
];
const CHAT = ["Hola, ¿me pueden ayudar?", "Sigue sin luz la cuadra", "Gracias por la respuesta", "¿Cuándo vienen?"];

function request(method, path, { body, headers = {} } = {}) {
  const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method,
        agent,
        headers: {
          ...(data ? { "content-type": "application/json", "content-length": data.length } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          let json = null;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString());
          } catch {}
          resolve({ status: res.statusCode, json });
        });
      },
    );
    req.setTimeout(60000, () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ status: 0, json: null }));
    req.end(data || undefined);
  });
}

const lat = [];
const byKind = {};
const statuses = {};
const failures = {};
let sent = 0;

async function timed(kind, method, path, opts) {
  sent++;
  const t = performance.now();
  const res = await request(method, path, opts);
  const ms = performance.now() - t;
  lat.push(ms);
  (byKind[kind] ||= []).push(ms);
  statuses[res.status] = (statuses[res.status] || 0) + 1;
  if (!(res.status >= 200 && res.status < 300)) {
    const key = `${kind} ${res.status}`;
    failures[key] = (failures[key] || 0) + 1;
  }
  return res;
}

async function conversation(index, round) {
  const session = `${prefix}-${round}-${index}`;
  const widget = { "x-entity-token": cfg.entityToken, "x-chat-session-id": sessionId(session) };
  const ask = (kind, body) => timed(kind, "POST", "/ask/municipio", { body: { tipo_chat: "municipio", ...body }, headers: widget });
  await ask("ask_greeting", { pregunta: "", action: "initial_greeting" });
  let done = 1;
  if (index % 2 === 0) {
    for (let i = 0; done < turns; i++, done++) await ask("ask_intake", { pregunta: INTAKE[i % INTAKE.length] });
    return;
  }
  const opened = await ask("ask_request_agent", { pregunta: "Quisiera hablar con un representante", action: "request_agent" });
  done++;
  const data = Array.isArray(opened.json) ? opened.json[0] : opened.json;
  const ticket = data && data.ticket_id;
  if (!ticket) {
    for (; done < turns; done++) await ask("ask_intake", { pregunta: "¿Hay alguien?" });
    return;
  }
  const token = cfg.tokens[index % cfg.tokens.length];
  let last = 0;
  for (let i = 0; done < turns; i++) {
    const step = i % 3;
    if (step === 0) {
      await timed("citizen_message", "POST", `/tickets/chat/${ticket}/responder_ciudadano`, {
        body: { comentario: CHAT[i % CHAT.length] },
        headers: widget,
      });
    } else if (step === 1) {
      await timed("agent_reply", "POST", `/tickets/municipio/${ticket}/responder`, {
        body: { comentario: "Hola, ya lo estamos viendo." },
        headers: { authorization: `Bearer ${token}` },
      });
    } else {
      const res = await timed("citizen_poll", "GET", `/tickets/chat/${ticket}/mensajes?ultimo_mensaje_id=${last}`, {
        headers: widget,
      });
      const msgs = (res.json && res.json.mensajes) || [];
      if (msgs.length) last = Math.max(last, ...msgs.map((m) => Number(m.id) || 0));
    }
    done++;
  }
}

function pct(sorted, p) {
  if (!sorted.length) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 100) / 100;
}

const t0 = performance.now();
for (let round = 0; round < rounds; round++) {
  await Promise.all(Array.from({ length: conversations }, (_, i) => conversation(i, round)));
}
const elapsed = (performance.now() - t0) / 1000;
const sorted = Float64Array.from(lat).sort();
const answered = Object.entries(statuses)
  .filter(([s]) => Number(s) >= 200 && Number(s) < 300)
  .reduce((a, [, n]) => a + n, 0);
const kinds = {};
for (const [kind, values] of Object.entries(byKind)) {
  const s = Float64Array.from(values).sort();
  kinds[kind] = { n: values.length, p50: pct(s, 50), p99: pct(s, 99) };
}
process.stdout.write(
  JSON.stringify({
    type: "mix",
    conversations,
    turns,
    requests: sent,
    answered,
    statuses,
    seconds: Math.round(elapsed * 1000) / 1000,
    requests_per_s: Math.round((answered / elapsed) * 10) / 10,
    latency_ms: { p50: pct(sorted, 50), p90: pct(sorted, 90), p99: pct(sorted, 99), max: pct(sorted, 100) },
    by_kind: kinds,
    failures,
  }) + "\n",
);
process.exit(0);
