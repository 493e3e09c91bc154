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

const modes = { "openai-rest": openaiRest, "deepgram-rest": deepgramRest };
if (!modes[mode]) {
  console.error("unknown mode " + mode);
  process.exit(2);
}
const result = await modes[mode]();
process.stdout.write(JSON.stringify(result));
