// Runs sherpa-onnx (npm sherpa-onnx-node) on streamasr's constructed models, for SherpaConformanceTest.
// Usage: node sherpa-transcribe.mjs JOBS.json
// JOBS.json: [{"dir": export dir, "precision": "fp32"|"int8", "audio": raw float32 LE 16 kHz file,
//              "language": "auto"|locale|"" (multilingual only)}]
// Prints one JSON array: per job {text, tokens, timestamps} as sherpa-onnx reports them (timestamps in seconds).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const sherpa = require('sherpa-onnx-node');

const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const recognizers = new Map();
const results = [];
for (const job of jobs) {
  const suffix = job.precision === 'int8' ? '.int8.onnx' : '.onnx';
  const key = job.dir + suffix;
  if (!recognizers.has(key)) {
    recognizers.set(key, new sherpa.OnlineRecognizer({
      featConfig: { sampleRate: 16000, featureDim: 128 },
      modelConfig: {
        transducer: {
          encoder: path.join(job.dir, 'encoder' + suffix),
          decoder: path.join(job.dir, 'decoder' + suffix),
          joiner: path.join(job.dir, 'joiner' + suffix),
        },
        tokens: path.join(job.dir, 'tokens.txt'),
        numThreads: 1,
        provider: 'cpu',
        debug: 0,
      },
      decodingMethod: 'greedy_search',
      enableEndpoint: 0,
    }));
  }
  const recognizer = recognizers.get(key);
  const bytes = readFileSync(job.audio);
  const samples = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const stream = recognizer.createStream();
  if (job.language) stream.setOption('language', job.language);
  stream.acceptWaveform({ samples, sampleRate: 16000 });
  // the sherpa-onnx CLI's default right padding (0.8 s) flushes the last window
  stream.acceptWaveform({ samples: new Float32Array(12800), sampleRate: 16000 });
  stream.inputFinished();
  while (recognizer.isReady(stream)) recognizer.decode(stream);
  const r = recognizer.getResult(stream);
  results.push({ text: r.text, tokens: r.tokens, timestamps: r.timestamps });
}
process.stdout.write(JSON.stringify(results));
