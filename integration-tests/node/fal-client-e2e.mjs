// The official @fal-ai/client (1.10.1) against streamasr's hosted API. The snippets below are fal's documented ones
// for this model, unchanged except for fal.config's proxyUrl (Node needs when: "always"; browsers proxy by default).
// Usage: node fal-client-e2e.mjs <server base URL> <API key> <audio file> <webhook secret>
// Prints one JSON object with everything the JUnit test (FalClientEndToEndTest) checks.
// Runs on Node 18.13+ (Debian 12 ships 18.20) and 20+: File comes from node:buffer, since Node 18 has no global File.
import { fal } from "@fal-ai/client";
import { File } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const [baseUrl, key, audioFile, webhookSecret] = process.argv.slice(2);
const MODEL = "nvidia/nemotron-asr-multilingual/asr";

fal.config({
  proxyUrl: { url: `${baseUrl}/api/fal/proxy`, when: "always" },
  credentials: key,
});

// A webhook receiver that verifies the signature as README "Hosted API" describes.
const webhooks = [];
let webhookArrived;
const webhookReceived = new Promise((resolve) => (webhookArrived = resolve));
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const timestamp = req.headers["x-asr-webhook-timestamp"];
    const signature = req.headers["x-asr-webhook-signature"] ?? "";
    const expected = "v1=" + createHmac("sha256", webhookSecret).update(`${timestamp}.${body}`).digest("hex");
    const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
    const valid = fresh && expected.length === signature.length
      && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
    webhooks.push({ valid, requestId: req.headers["x-asr-webhook-request-id"], body: JSON.parse(body) });
    res.writeHead(valid ? 200 : 401).end();
    webhookArrived();
  });
});
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const webhookUrl = `http://127.0.0.1:${receiver.address().port}/fal-webhook`;

// fal.storage.upload: initiate through the proxy, then PUT to the upload URL
const file = new File([readFileSync(audioFile)], "clip.wav", { type: "audio/wav" });
const url = await fal.storage.upload(file);

// fal.subscribe with logs and queue updates
const updates = [];
const result = await fal.subscribe(MODEL, {
  input: { audio_url: url, language: "en-US" },
  logs: true,
  onQueueUpdate: (update) => {
    updates.push(update.status);
    if (update.status === "IN_PROGRESS") {
      update.logs.map((log) => log.message).forEach((m) => console.error(m));
    }
  },
});

// fal.stream
const stream = await fal.stream(MODEL, { input: { audio_url: url } });
const events = [];
for await (const event of stream) {
  events.push(event);
}
const streamed = await stream.done();

// fal.queue.submit / status / result, with a webhook
const { request_id } = await fal.queue.submit(MODEL, {
  input: { audio_url: url, acceleration: "high" },
  webhookUrl,
});
let status;
do {
  status = await fal.queue.status(MODEL, { requestId: request_id, logs: true });
  if (status.status !== "COMPLETED") await new Promise((r) => setTimeout(r, 200));
} while (status.status !== "COMPLETED");
const queued = await fal.queue.result(MODEL, { requestId: request_id });
await Promise.race([webhookReceived, new Promise((r) => setTimeout(r, 30000))]);
receiver.close();

// a bad input comes back as the client's ValidationError with FastAPI-style field errors
let validation = null;
try {
  await fal.subscribe(MODEL, { input: { audio_url: url, language: "xx-XX" } });
} catch (e) {
  validation = { name: e.name, status: e.status, fields: e.fieldErrors };
}

console.log(JSON.stringify({
  uploadUrl: url,
  subscribe: { data: result.data, requestId: result.requestId, updates },
  stream: { events, done: streamed },
  queue: { requestId: request_id, status, data: queued.data, resultRequestId: queued.requestId },
  webhooks,
  validation,
}));
