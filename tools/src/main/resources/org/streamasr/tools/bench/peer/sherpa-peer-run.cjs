// One side of `bin/asr bench-peer` (PeerBenchmark): sherpa-onnx (npm sherpa-onnx-node) on the same model, audio and
// thread budget as our engine, in its own process so its CPU time and peak memory are its own. Prints one line
// "RESULT {json}" with the same fields as OursPeerRun.
//
// usage: node sherpa-peer-run.cjs EXPORT_DIR fp32|int8 AUDIO.f32 STREAMS SECONDS THREADS CHUNK_MS MODE
// MODE: 0 throughput only, 1 throughput and a paced run, ladder:N1,N2,... paced runs of N1, N2, ... streams only,
// until one leaves a stream behind (as OursPeerRun).
'use strict';
const fs = require('fs');
const sherpa = require('sherpa-onnx-node');

const [exportDir, precision, audioFile, streamsArg, secondsArg, threadsArg, chunkArg, pacedArg] = process.argv.slice(2);
const streams = Number(streamsArg);
const seconds = Number(secondsArg);
const chunkMs = Number(chunkArg);
const RATE = 16000;
const PACKET = 320; // 20 ms, as OursPeerRun feeds
const TAIL = new Float32Array(RATE * 8 / 10); // sherpa-onnx's own CLI appends 0.8 s to flush the last window

const suffix = precision === 'int8' ? '.int8' : '';
const recognizer = new sherpa.OnlineRecognizer({
  featConfig: {sampleRate: RATE, featureDim: 128},
  modelConfig: {
    transducer: {
      encoder: `${exportDir}/encoder${suffix}.onnx`,
      decoder: `${exportDir}/decoder${suffix}.onnx`,
      joiner: `${exportDir}/joiner${suffix}.onnx`,
    },
    tokens: `${exportDir}/tokens.txt`,
    numThreads: Number(threadsArg),
    provider: 'cpu',
    debug: 0,
  },
  decodingMethod: 'greedy_search',
  // Utterances end as ours do (800 ms of trailing silence after a token; our endpoint-trailing-silence default), and
  // an ended utterance resets the stream's decoder and caches, as ours does: the tone models' decoder depends on it.
  enableEndpoint: 1,
  rule1MinTrailingSilence: 2.4,
  rule2MinTrailingSilence: 0.8,
  rule3MinUtteranceLength: 20,
});

const raw = fs.readFileSync(audioFile);
const perStream = seconds * RATE;
const audio = [];
for (let i = 0; i < streams; i++) {
  audio.push(new Float32Array(raw.buffer, raw.byteOffset + i * perStream * 4, perStream));
}

function rssMiB() {
  return process.memoryUsage().rss / 1048576;
}

function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The largest resident size seen after a decode call (sampled there: the streams' state is live then). */
let runPeakMiB = 0;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms) {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** A stream and the texts of its ended utterances. */
function open() {
  return {stream: recognizer.createStream(), finals: []};
}

/** Keeps the text of an ended utterance and starts the next one (sherpa's endpoint handling, as in its examples). */
function endUtterance(s, last) {
  if (!last && !recognizer.isEndpoint(s.stream)) return;
  const text = recognizer.getResult(s.stream).text.trim();
  if (text) s.finals.push(text);
  if (!last) recognizer.reset(s.stream);
}

/** Decodes every ready stream in one batched call (sherpa's decodeStreams) until none is ready. */
function decodeReady(ss, decodes) {
  let any = false;
  for (;;) {
    const ready = [];
    const idx = [];
    ss.forEach((s, i) => {
      if (recognizer.isReady(s.stream)) {
        ready.push(s.stream);
        idx.push(i);
      }
    });
    if (ready.length === 0) return any;
    recognizer.decodeStreams(ready);
    runPeakMiB = Math.max(runPeakMiB, rssMiB());
    for (const i of idx) {
      decodes[i]++;
      endUtterance(ss[i], false);
    }
    any = true;
  }
}

/** All audio offered at once: wall and CPU time until every stream is decoded; stream 0's text. */
function offeredAtOnce(input) {
  const ss = input.map(open);
  const decodes = new Array(input.length).fill(0);
  const t0 = process.hrtime.bigint();
  const c0 = cpuSeconds();
  ss.forEach((s, i) => {
    s.stream.acceptWaveform({samples: input[i], sampleRate: RATE});
    s.stream.acceptWaveform({samples: TAIL, sampleRate: RATE});
    s.stream.inputFinished();
  });
  decodeReady(ss, decodes);
  ss.forEach((s) => endUtterance(s, true));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return {wall, cpu: cpuSeconds() - c0, text: ss[0].finals.join(' ')};
}

/**
 * Fed in real time: every 20 ms packet due by the clock is given to its stream, then every ready stream is decoded
 * in one batched call, in one loop (decoding blocks this thread, so packets that fell due meanwhile go in together
 * next, as a server's receive queue would hold them). A stream's backlog = audio due by the clock - audio its
 * decode calls consumed (one chunk each) - the window's look-ahead.
 */
function paced(input) {
  const ss = input.map(open);
  const decodes = new Array(input.length).fill(0);
  const largest = new Array(input.length).fill(0);
  const lookaheadMs = 100; // nine pre-encode frames + one: fed but not yet decodable however fast the decoder
  const c0 = cpuSeconds();
  const start = Date.now();
  let fed = 0;
  while (fed < perStream) {
    const due = Math.min(perStream, Math.floor((Date.now() - start) * 16 / PACKET + 1) * PACKET);
    if (due <= fed) {
      sleepMs(start + fed / 16 - Date.now());
      continue;
    }
    ss.forEach((s, i) => s.stream.acceptWaveform({samples: input[i].subarray(fed, due), sampleRate: RATE}));
    fed = due;
    decodeReady(ss, decodes);
    const dueMs = Math.min(perStream / 16, Date.now() - start);
    for (let i = 0; i < ss.length; i++) {
      largest[i] = Math.max(largest[i], dueMs - decodes[i] * chunkMs - lookaheadMs);
    }
  }
  ss.forEach((s) => {
    s.stream.acceptWaveform({samples: TAIL, sampleRate: RATE});
    s.stream.inputFinished();
  });
  decodeReady(ss, decodes);
  ss.forEach((s) => endUtterance(s, true));
  const keepUp = 2 * chunkMs + 500;
  return {
    keptUp: largest.filter((b) => b <= keepUp).length,
    largestBacklogMs: Math.max(...largest),
    doneAfterMs: Date.now() - start - seconds * 1000,
    pacedCpuSeconds: cpuSeconds() - c0,
  };
}

// warm-up (3 s of stream 0), as OursPeerRun
offeredAtOnce([audio[0].subarray(0, 3 * RATE)]);
const rssAfterLoad = rssMiB();
if (pacedArg.startsWith('ladder:')) {
  // a batch as large as the ladder's top once before its paced runs, as OursPeerRun does
  offeredAtOnce(audio.map((a) => a.subarray(0, 2 * RATE)));
  const ladder = [];
  for (const n of pacedArg.substring(7).split(',').map(Number)) {
    const step = Object.assign({streams: n}, paced(audio.slice(0, n)));
    ladder.push(step);
    console.log('STEP ' + JSON.stringify(step));
    if (step.keptUp < n) break;
  }
  console.log('RESULT ' + JSON.stringify({side: 'sherpa-onnx', precision, ladder}));
  process.exit(0);
}
runPeakMiB = rssAfterLoad;
const run = offeredAtOnce(audio);
const result = {
  side: 'sherpa-onnx',
  precision,
  streams,
  seconds,
  wallSeconds: run.wall,
  cpuSeconds: run.cpu,
  transcript: run.text,
  rssAfterLoadMiB: rssAfterLoad,
};
if (pacedArg === '1') Object.assign(result, paced(audio));
result.peakRssMiB = process.resourceUsage().maxRSS / 1024;
result.runPeakRssMiB = runPeakMiB;
console.log('RESULT ' + JSON.stringify(result));
