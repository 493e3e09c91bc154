// Drives streamasr's Deepgram and OpenAI surfaces with the official npm clients, unchanged except their base URL
// (see AsrApisEndToEndTest). Usage: node asr-apis-e2e.mjs MODE BASE_URL KEY CLIP_WAV
// MODE: openai-rest | deepgram-rest | deepgram-live | openai-realtime | jigasi-replay
// Prints one JSON object on stdout.
import fs from "node:fs";
import http from "node:http";
import { once } from "node:events";

const [mode, base, key, clip] = process.argv.slice(2);

function errorInfo(e) {
  return { name: e?.constructor?.name, status: e?.status ?? e?.statusCode, code: e?.code ?? null,
    type: e?.type ?? null, param: e?.param ?? null, message: String(e?.message ?? e), body: e?.body ?? e?.error ?? null };
}

async function openaiRest() {
  const { default: OpenAI } = await import("openai");
  const client = new OpenAI({ apiKey: key, baseURL: base + "/v1", maxRetries: 0 });
  const out = { formats: {} };
  for (const format of ["json", "text", "srt", "vtt", "verbose_json"]) {
    const extra = format === "verbose_json" ? { timestamp_granularities: ["word", "segment"] } : {};
    out.formats[format] = await client.audio.transcriptions.create({
      file: fs.createReadStream(clip), model: "whisper-1", response_format: format, language: "en", ...extra });
  }
  const stream = await client.audio.transcriptions.create({
    file: fs.createReadStream(clip), model: "gpt-4o-transcribe", stream: true });
  out.stream = [];
  for await (const event of stream) out.stream.push(event);
  out.models = (await client.models.list()).data;
  const bad = new OpenAI({ apiKey: "wrong-key", baseURL: base + "/v1", maxRetries: 0 });
  out.errors = {};
  try { await bad.models.list(); } catch (e) { out.errors.wrongKey = errorInfo(e); }
  try {
    await client.audio.transcriptions.create({ file: fs.createReadStream(clip), model: "no-such-model" });
  } catch (e) { out.errors.unknownModel = errorInfo(e); }
  try {
    await client.audio.transcriptions.create({ file: fs.createReadStream(clip), model: "whisper-1", language: "ja" });
  } catch (e) { out.errors.language = errorInfo(e); }
  try {
    const { toFile } = await import("openai");
    await client.audio.transcriptions.create({ file: await toFile(Buffer.from("not audio at all"), "a.wav"), model: "whisper-1" });
  } catch (e) { out.errors.notAudio = errorInfo(e); }
  try {
    await client.audio.transcriptions.create({ file: fs.createReadStream(clip), model: "whisper-1", response_format: "xml" });
  } catch (e) { out.errors.format = errorInfo(e); }
  // and the server carries on
  out.after = await client.audio.transcriptions.create({ file: fs.createReadStream(clip), model: "whisper-1" });
  return out;
}

async function deepgramRest() {
  const { DeepgramClient } = await import("@deepgram/sdk");
  const client = new DeepgramClient({ apiKey: key, baseUrl: base });
  const out = {};
  out.file = await client.listen.v1.media.transcribeFile(fs.readFileSync(clip),
    { model: "nova-3", punctuate: true, utterances: true, diarize: false, tier: "x" });
  // a URL: a local HTTP server that serves the clip (the server is started with fetch.allow-private-addresses)
  const files = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "audio/wav" });
    res.end(fs.readFileSync(clip));
  });
  files.listen(0, "127.0.0.1");
  await once(files, "listening");
  try {
    out.url = await client.listen.v1.media.transcribeUrl(
      { url: `http://127.0.0.1:${files.address().port}/clip.wav`, model: "nova-2-general", language: "en-US" });
  } finally {
    files.close();
  }
  out.errors = {};
  const bad = new DeepgramClient({ apiKey: "wrong-key", baseUrl: base });
  try { await bad.listen.v1.media.transcribeFile(fs.readFileSync(clip), { model: "nova-3" }); }
  catch (e) { out.errors.wrongKey = errorInfo(e); }
  try { await client.listen.v1.media.transcribeFile(Buffer.from("not audio at all"), { model: "nova-3" }); }
  catch (e) { out.errors.notAudio = errorInfo(e); }
  try { await client.listen.v1.media.transcribeFile(fs.readFileSync(clip), { model: "nova-9-imaginary" }); }
  catch (e) { out.errors.unknownModel = errorInfo(e); }
  try { await client.listen.v1.media.transcribeUrl({ url: "http://169.254.169.254/latest/meta-data", model: "nova-3" }); }
  catch (e) { out.errors.metadataUrl = errorInfo(e); }
  out.after = await client.listen.v1.media.transcribeFile(fs.readFileSync(clip), { model: "nova-3" });
  return out;
}


function wavPcm(file) {
  const b = fs.readFileSync(file);
  let pos = 12;
  while (pos + 8 <= b.length) {
    const id = b.toString("ascii", pos, pos + 4), len = b.readUInt32LE(pos + 4);
    if (id === "data") return b.subarray(pos + 8, pos + 8 + Math.min(len, b.length - pos - 8));
    pos += 8 + len + (len & 1);
  }
  throw new Error("no data chunk in " + file);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until check() is true, polling, or throws after ms. */
async function until(check, ms, what, seen) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting for " + what + (seen ? "; got " + JSON.stringify(seen()) : ""));
    await sleep(20);
  }
}

/** Sends pcm in 100 ms chunks at real-time pace. */
async function stream(pcm, chunkBytes, send, periodMs = 100) {
  const t0 = Date.now();
  for (let i = 0, n = 0; i < pcm.length; i += chunkBytes, n++) {
    send(pcm.subarray(i, Math.min(pcm.length, i + chunkBytes)));
    const wait = t0 + (n + 1) * periodMs - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

async function deepgramSession(client, pcm, finalizeAt) {
  const conn = await client.listen.v1.connect({ model: "nova-3", language: "en-US", encoding: "linear16",
    sample_rate: "16000", channels: "1", interim_results: "true", utterance_end_ms: "1000", vad_events: "true",
    punctuate: "true", endpointing: "300", no_delay: "true", filler_words: "true" });
  const messages = [];
  let closed = null;
  conn.on("message", (m) => messages.push(m));
  conn.on("close", (e) => { closed = { code: e.code, reason: e.reason }; });
  conn.on("error", (e) => messages.push({ type: "client-error", message: String(e?.message ?? e) }));
  conn.connect();
  await conn.waitForOpen();
  // KeepAlive every 3 s, as Deepgram advises (Pipecat and LiveKit do the same): waits below send no audio
  const keepAlive = setInterval(() => conn.sendKeepAlive({ type: "KeepAlive" }), 3000);
  const cut = finalizeAt ?? pcm.length;
  await stream(pcm.subarray(0, cut), 3200, (c) => conn.sendMedia(c));
  if (finalizeAt) {
    conn.sendFinalize({ type: "Finalize" });
    await until(() => messages.some((m) => m.type === "Results" && m.from_finalize), 180000, "from_finalize",
      () => [closed, messages.map((m) => [m.type, m.is_final, m.from_finalize,
        m.channel?.alternatives?.[0]?.transcript])]);
    await stream(pcm.subarray(cut), 3200, (c) => conn.sendMedia(c));
  }
  // silence after the speech, so that UtteranceEnd can come
  await stream(Buffer.alloc(3200 * 20), 3200, (c) => conn.sendMedia(c));
  conn.sendCloseStream({ type: "CloseStream" });
  await until(() => closed !== null, 180000, "close after CloseStream");
  clearInterval(keepAlive);
  return { messages, closed };
}

async function deepgramLive() {
  const { DeepgramClient } = await import("@deepgram/sdk");
  const client = new DeepgramClient({ apiKey: key, baseUrl: base });
  const pcm = wavPcm(clip);
  const out = {};
  out.plain = await deepgramSession(client, pcm, null);
  out.finalize = await deepgramSession(client, pcm, Math.floor(pcm.length / 2 / 3200) * 3200);
  if (process.env.OPUS_CLIP) out.opus = await deepgramOggOpus(client, fs.readFileSync(process.env.OPUS_CLIP));
  out.bad = await deepgramBadInput();
  return out;
}

/** An Ogg Opus file streamed as it is, with encoding=ogg-opus (no sample_rate needed). */
async function deepgramOggOpus(client, bytes) {
  const conn = await client.listen.v1.connect({ model: "nova-2-general", encoding: "ogg-opus" });
  const messages = [];
  let closed = null;
  conn.on("message", (m) => messages.push(m));
  conn.on("close", (e) => { closed = { code: e.code, reason: e.reason }; });
  conn.connect();
  await conn.waitForOpen();
  const keepAlive = setInterval(() => conn.sendKeepAlive({ type: "KeepAlive" }), 3000);
  await stream(bytes, 1000, (c) => conn.sendMedia(c));
  conn.sendCloseStream({ type: "CloseStream" });
  await until(() => closed !== null, 180000, "close after CloseStream");
  clearInterval(keepAlive);
  return { messages, closed };
}

/** Raw ws connections with bad input; each gets Deepgram's own refusal. */
async function deepgramBadInput() {
  const { default: WebSocket } = await import("ws");
  const url = base.replace(/^http/, "ws") + "/v1/listen";
  const handshake = (query, headers) => new Promise((resolve) => {
    const ws = new WebSocket(url + query, { headers });
    ws.on("unexpected-response", (req, res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, dgError: res.headers["dg-error"] ?? null,
        requestId: res.headers["dg-request-id"] ?? null, body }));
    });
    ws.on("open", () => { ws.close(); resolve({ status: 101 }); });
    ws.on("error", () => {});
  });
  const closing = (setup) => new Promise((resolve) => {
    const ws = new WebSocket(url + "?encoding=linear16&sample_rate=16000", { headers: { Authorization: "Token " + key } });
    ws.on("open", () => setup(ws));
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on("error", () => {});
  });
  return {
    wrongKey: await handshake("?encoding=linear16&sample_rate=16000", { Authorization: "Token wrong" }),
    wrongEncoding: await handshake("?encoding=speex&sample_rate=16000", { Authorization: "Token " + key }),
    unknownModel: await handshake("?model=nova-9-imaginary", { Authorization: "Token " + key }),
    language: await handshake("?language=ja", { Authorization: "Token " + key }),
    browserForm: await new Promise((resolve) => {
      const ws = new WebSocket(url + "?encoding=linear16&sample_rate=16000", ["token", key]);
      ws.on("open", () => { const p = ws.protocol; ws.close(1000); resolve({ status: 101, protocol: p }); });
      ws.on("unexpected-response", (req, res) => resolve({ status: res.statusCode }));
      ws.on("error", (e) => resolve({ error: String(e.message) }));
    }),
    malformedJson: await closing((ws) => ws.send("{not json")),
    notWav: await new Promise((resolve) => {
      const ws = new WebSocket(url, { headers: { Authorization: "Token " + key } });
      ws.on("open", () => ws.send(Buffer.from("definitely not a RIFF header")));
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
      ws.on("error", () => {});
    }),
    oversized: await closing((ws) => ws.send(Buffer.alloc(8 * 1024 * 1024))),
  };
}

function upsample16to24(pcm16k) {
  const n = pcm16k.length / 2, m = Math.floor(n * 3 / 2);
  const out = Buffer.alloc(m * 2);
  for (let i = 0; i < m; i++) {
    const x = i * 2 / 3, j = Math.floor(x), f = x - j;
    const a = pcm16k.readInt16LE(2 * Math.min(j, n - 1)), b = pcm16k.readInt16LE(2 * Math.min(j + 1, n - 1));
    out.writeInt16LE(Math.round(a + (b - a) * f), 2 * i);
  }
  return out;
}

async function openaiRealtime() {
  const { default: OpenAI } = await import("openai");
  const { OpenAIRealtimeWS } = await import("openai/realtime/ws");
  const client = new OpenAI({ apiKey: key, baseURL: base + "/v1" });
  const rt = new OpenAIRealtimeWS({ intent: "transcription" }, client);
  const events = [];
  let closed = null;
  rt.on("event", (e) => events.push({ ...e, receivedAt: Date.now() }));
  rt.on("error", (e) => events.push({ type: "sdk-error", message: String(e?.message ?? e), error: e?.error ?? null }));
  rt.socket.on("close", (code) => { closed = code; });
  await new Promise((resolve, reject) => { rt.socket.once("open", resolve); rt.socket.once("error", reject); });
  rt.send({ type: "session.update", session: { type: "transcription", audio: { input: {
    format: { type: "audio/pcm", rate: 24000 }, transcription: { model: "gpt-4o-transcribe", language: "en" },
    turn_detection: { type: "server_vad", threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 } } } } });
  // bad input first: each gets an error event and the session goes on
  rt.socket.send("{not json");
  rt.send({ type: "input_audio_buffer.commit" });
  rt.send({ type: "no.such.event" });
  rt.send({ type: "session.update", session: { audio: { input: { format: { type: "audio/ogg" } } } } });
  rt.send({ type: "session.update", session: { audio: { input: { transcription: { model: "no-such-model" } } } } });
  const pcm = upsample16to24(wavPcm(clip));
  await stream(Buffer.concat([pcm, Buffer.alloc(4800 * 20)]), 4800,
    (c) => rt.send({ type: "input_audio_buffer.append", audio: c.toString("base64") }));
  await until(() => events.filter((e) => e.type === "conversation.item.input_audio_transcription.completed").length > 0
    && Date.now() - lastEventAt(events) > 5000, 240000, "completed transcriptions");
  rt.close();
  await until(() => closed !== null, 10000, "close");
  return { events, closed };
}

/** When the last event arrived (events are stamped by the listeners). */
function lastEventAt(events) {
  return events.length ? events.at(-1).receivedAt : 0;
}

/** Exactly what Jigasi's OpenAIRealtimeClient (PR #643) sends: ?model=, session.update type realtime, 1 s appends. */
async function jigasiReplay() {
  const { default: WebSocket } = await import("ws");
  const url = base.replace(/^http/, "ws") + "/v1/realtime?model=gpt-realtime-2";
  const ws = new WebSocket(url, { headers: { Authorization: "Bearer " + key } });
  const events = [];
  let closed = null;
  ws.on("message", (d) => events.push({ ...JSON.parse(d.toString()), receivedAt: Date.now() }));
  ws.on("close", (code) => { closed = code; });
  await new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("error", reject); });
  ws.send(JSON.stringify({ type: "session.update", session: { type: "realtime", audio: { input: {
    transcription: { model: "gpt-realtime-whisper", language: "en" } } } } }));
  const pcm = Buffer.concat([upsample16to24(wavPcm(clip)), Buffer.alloc(48000 * 3)]);
  await stream(pcm, 48000, (c) => ws.send(JSON.stringify({ type: "input_audio_buffer.append", audio: c.toString("base64") })), 1000);
  await until(() => events.some((e) => e.type === "conversation.item.input_audio_transcription.completed")
    && Date.now() - lastEventAt(events) > 5000, 240000, "completed");
  ws.close(1000);
  await until(() => closed !== null, 10000, "close");
  const wrong = await new Promise((resolve) => {
    const w = new WebSocket(url, { headers: { Authorization: "Bearer wrong" } });
    const got = [];
    w.on("message", (d) => got.push(JSON.parse(d.toString())));
    w.on("close", (code) => resolve({ code, events: got }));
    w.on("error", () => {});
  });
  return { events, closed, wrongKey: wrong };
}

const modes = { "openai-rest": openaiRest, "deepgram-rest": deepgramRest, "deepgram-live": deepgramLive,
  "openai-realtime": openaiRealtime, "jigasi-replay": jigasiReplay };
if (!modes[mode]) {
  console.error("unknown mode " + mode);
  process.exit(2);
}
const result = await modes[mode]();
process.stdout.write(JSON.stringify(result));
