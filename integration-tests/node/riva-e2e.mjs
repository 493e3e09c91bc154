// Riva's gRPC API from Node with @grpc/grpc-js + @grpc/proto-loader, loading the project's own .proto files
// (plugin/src/main/proto), used as NVIDIA's python client uses it (see RivaGrpcJsEndToEndTest).
// usage: node riva-e2e.mjs HOST:PORT KEY PROTO_DIR WAV_FILE   → one JSON object on stdout
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { readFileSync } from 'node:fs';

const [target, key, protoDir, wavFile] = process.argv.slice(2);
const definition = protoLoader.loadSync('riva/proto/riva_asr.proto',
  { includeDirs: [protoDir], keepCase: true, longs: Number, enums: String, defaults: true });
const riva = grpc.loadPackageDefinition(definition).nvidia.riva.asr;
const client = new riva.RivaSpeechRecognition(target, grpc.credentials.createInsecure());

function metadata(k) {
  const md = new grpc.Metadata();
  if (k) md.add('authorization', `Bearer ${k}`);
  md.add('function-id', 'bb0837de-8c7b-481f-9ec8-ef5663e9c1fa'); // Pipecat's default, sent even to a local server
  return md;
}

// StreamingRecognize as transcribe_file.py does it: config without encoding or rate, then the WAV file from byte 0
// in 3200-byte pieces, then the half-close.
function stream(config, chunks, k = key) {
  return new Promise((resolve) => {
    const results = [];
    const call = client.StreamingRecognize(metadata(k));
    call.on('data', (r) => { for (const x of r.results) results.push(x); });
    call.on('error', (e) => resolve({ code: e.code, details: e.details, results }));
    call.on('end', () => resolve({ code: 0, results }));
    call.write({ streaming_config: { config, interim_results: true } });
    for (const c of chunks) call.write({ audio_content: c });
    call.end();
  });
}

const wav = readFileSync(wavFile);
const chunks = [];
for (let off = 0; off < wav.length; off += 3200) chunks.push(wav.subarray(off, off + 3200));
const base = { language_code: 'en-US', max_alternatives: 1, enable_word_time_offsets: true,
  enable_automatic_punctuation: true, verbatim_transcripts: true };

const out = {};
out.speech = await stream(base, chunks);
out.badConfig = await stream({ ...base, encoding: 'LINEAR_PCM', sample_rate_hertz: 0 }, chunks.slice(0, 2));
out.wrongKey = await stream(base, chunks.slice(0, 2), 'not-the-key');
out.models = await new Promise((resolve) => client.GetRivaSpeechRecognitionConfig({}, metadata(key),
  (e, r) => resolve(e ? { code: e.code, details: e.details } : r)));
out.afterErrors = await stream(base, chunks);
client.close();
console.log(JSON.stringify(out));
