// Closed-loop HTTP load for POST /ask/{tipo}: `concurrency` keep-alive connections, each sending the next
// request as soon as the previous answer arrived, for `duration` seconds (after `warmup` seconds).
//
//   node http_load.mjs '{"base": "http://127.0.0.1:PORT", "entityToken": "...", "concurrency": 64,
//                        "duration": 15, "warmup": 2}'
//
// The mix is what a widget sends without a live chat: the greeting (1 in 4) and free-text questions with
// the conversation context the frontend keeps (no urgent text, no "hablar con un representante").
// Prints one JSON line: requests/s, latency percentiles, status counts.
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
const tipo = cfg.tipo || "municipio";
const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.concurrency || 64 });

const QUESTIONS = [
  "Hola, buenas tardes",
  "¿Cuál es el horario de atención?",
  "Quiero hacer un reclamo por un bache en mi cuadra",
  "Hay una luminaria apagada en la esquina de San Martín y Belgrano",
  "¿Dónde pago la tasa municipal?",
  "No pasó el camión de la basura esta semana",
  "Gracias",
  "¿Cómo saco turno para la licencia de conducir?",
];

function body(i) {
  if (i % 4 === 0) return { pregunta: "", action: "initial_greeting", tipo_chat: tipo };
  const pregunta = QUESTIONS[i % QUESTIONS.length];
  return {
    pregunta,
    tipo_chat: tipo,
    contexto_previo: {
      estado_conversacion: "conversacion_general",
      datos_reclamo: {},
      historial_conversacion: [
        { role: "bot", text: "¡Hola! ¿En qué te puedo ayudar?" },
        { role: "user", text: pregunta },
      ],
    },
  };
}

function ask(i) {
  const data = Buffer.from(JSON.stringify(body(i)));
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        path: `/ask/${tipo}`,
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": data.length,
          "x-entity-token": cfg.entityToken,
          "x-chat-session-id": sessionId(`bench-session-${i % 500}`),
        },
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

async function run(seconds, record) {
  const end = performance.now() + seconds * 1000;
  let counter = 0;
  await Promise.all(
    Array.from({ length: cfg.concurrency || 64 }, async () => {
      while (performance.now() < end) {
        const i = counter++;
        const t = performance.now();
        const status = await ask(i);
        record(status, performance.now() - t);
      }
    }),
  );
}

function pct(sorted, p) {
  if (!sorted.length) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 100) / 100;
}

await run(cfg.warmup ?? 2, () => {});
const lat = [];
const statuses = {};
const t0 = performance.now();
await run(cfg.duration || 15, (status, ms) => {
  lat.push(ms);
  statuses[status] = (statuses[status] || 0) + 1;
});
const elapsed = (performance.now() - t0) / 1000;
const sorted = Float64Array.from(lat).sort();
const ok = Object.entries(statuses)
  .filter(([s]) => Number(s) >= 200 && Number(s) < 300)
  .reduce((a, [, n]) => a + n, 0);
process.stdout.write(
  JSON.stringify({
    type: "http",
    requests: lat.length,
    ok,
    statuses,
    seconds: Math.round(elapsed * 1000) / 1000,
    requests_per_s: Math.round((ok / elapsed) * 10) / 10,
    latency_ms: { p50: pct(sorted, 50), p90: pct(sorted, 90), p99: pct(sorted, 99), max: pct(sorted, 100) },
    concurrency: cfg.concurrency || 64,
  }) + "\n",
);
process.exit(0);
