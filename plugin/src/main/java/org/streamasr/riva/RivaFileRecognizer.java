package org.streamasr.riva;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import nvidia.riva.RivaAudio.AudioEncoding;
import nvidia.riva.asr.RivaAsr.RecognitionConfig;
import nvidia.riva.asr.RivaAsr.RecognizeRequest;
import nvidia.riva.asr.RivaAsr.RecognizeResponse;
import nvidia.riva.asr.RivaAsr.SpeechRecognitionAlternative;
import nvidia.riva.asr.RivaAsr.SpeechRecognitionResult;
import org.streamasr.api.ApiError;
import org.streamasr.api.HostedApi;
import org.streamasr.api.jobs.Job;
import org.streamasr.api.jobs.JobObserver;
import org.streamasr.api.store.Outcome;
import org.streamasr.engine.Utterance;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.wav.WavFile;
import org.streamasr.stream.TranscriptWords;

/**
 * Recognize: the whole file runs on the hosted API's queue and workers ({@link HostedApi#transcribeFile}: ffmpeg
 * decode, limits, engine feed), so a file here is treated exactly like one sent to the hosted API. Containers (WAV,
 * FLAC, Ogg, whatever ffmpeg reads; Riva clients send WAV with no encoding) go as they are; headerless LINEAR_PCM,
 * MULAW and ALAW are given a WAV header first (G.711 stays G.711: the workers' ffmpeg expands it). The answer is
 * one result (as Riva's "currently one"): the finals joined, with their words when asked for, and
 * {@code audio_processed} the decoded length.
 */
final class RivaFileRecognizer {
    private final HostedApi api;
    private final RivaModels models;

    /** @param api null when asr.api.enabled is false: Recognize then answers FAILED_PRECONDITION */
    RivaFileRecognizer(HostedApi api, RivaModels models) {
        this.api = api;
        this.models = models;
    }

    void recognize(RecognizeRequest request, ServerCallStreamObserver<RecognizeResponse> response) {
        try {
            if (api == null) {
                throw Status.FAILED_PRECONDITION.withDescription("Recognize runs on the hosted API's workers, which "
                        + "are disabled here (asr.api.enabled = false); use StreamingRecognize").asException();
            }
            RecognitionConfig c = request.getConfig();
            RivaAudioFormat.checkCommon(c);
            RivaModels.Selection sel = models.select(c.getModel(), c.getLanguageCode());
            byte[] file = asFile(c, request.getAudio());
            Collector collector = new Collector(request, response);
            Job job = api.transcribeFile("riva Recognize", file, sel.model().engine(), sel.language(), collector);
            response.setOnCancelHandler(() -> api.cancel(job));
        } catch (StatusException e) {
            response.onError(e);
        } catch (ApiError e) {
            response.onError(statusOf(e.status(), e.getMessage()).asException());
        }
    }

    /** The audio as a file ffmpeg reads: containers as sent, headerless samples with a WAV header. */
    static byte[] asFile(RecognitionConfig c, ByteString audio) throws StatusException {
        if (audio.isEmpty()) throw RivaAudioFormat.invalid("audio is empty");
        ByteBuffer start = audio.substring(0, Math.min(12, audio.size())).asReadOnlyByteBuffer();
        boolean container = RivaAudioFormat.startsWithRiff(start) || RivaAudioFormat.containerName(start) != null;
        AudioEncoding e = c.getEncoding();
        int rate = c.getSampleRateHertz();
        if (container || e == AudioEncoding.FLAC || e == AudioEncoding.OGGOPUS
                || (e == AudioEncoding.ENCODING_UNSPECIFIED && rate == 0)) {
            return audio.toByteArray();
        }
        switch (e) {
            case ENCODING_UNSPECIFIED, LINEAR_PCM -> {
                if (rate == 0) throw RivaAudioFormat.invalid("sample_rate_hertz is required for LINEAR_PCM");
                checkRate(rate);
                ByteBuffer b = audio.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                short[] s = new short[b.remaining() / 2];
                for (int i = 0; i < s.length; i++) s[i] = b.getShort();
                return new WavFile(rate, 1, s).toBytes();
            }
            case MULAW, ALAW -> {
                if (rate == 0) rate = 8_000;
                checkRate(rate);
                return g711Wav(e == AudioEncoding.MULAW ? 7 : 6, rate, audio);
            }
            default -> throw RivaAudioFormat.invalid("unknown encoding " + c.getEncodingValue()
                    + "; use LINEAR_PCM, FLAC, MULAW, OGGOPUS or ALAW");
        }
    }

    /**
     * G.711 bytes under a WAV header of their own format (7 mu-law, 6 A-law): ffmpeg on the hosted API's workers
     * expands them, as it decodes any file, rather than this gRPC thread.
     */
    private static byte[] g711Wav(int formatTag, int rate, ByteString samples) {
        ByteBuffer b = ByteBuffer.allocate(46 + samples.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(38 + samples.size())
                .put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(18)
                .putShort((short) formatTag).putShort((short) 1).putInt(rate).putInt(rate) // mono, a byte a sample
                .putShort((short) 1).putShort((short) 8).putShort((short) 0)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(samples.size());
        samples.copyTo(b);
        return b.array();
    }

    private static void checkRate(int rate) throws StatusException {
        if (rate < RivaAudioFormat.MIN_RATE || rate > RivaAudioFormat.MAX_RATE) {
            throw RivaAudioFormat.invalid("sample_rate_hertz " + rate + " is outside " + RivaAudioFormat.MIN_RATE
                    + ".." + RivaAudioFormat.MAX_RATE);
        }
    }

    /** The hosted API's HTTP-style outcome statuses as Riva's gRPC codes. */
    static Status statusOf(int httpStatus, String message) {
        Status s = switch (httpStatus) {
            case 400, 413, 422 -> Status.INVALID_ARGUMENT;
            case 429 -> Status.RESOURCE_EXHAUSTED;
            case 499 -> Status.CANCELLED;
            case 503 -> Status.UNAVAILABLE;
            case 504 -> Status.DEADLINE_EXCEEDED;
            default -> Status.INTERNAL;
        };
        return s.withDescription(message);
    }

    /** Collects one file's finals on the worker and engine threads, and answers when the job ends. */
    private static final class Collector implements JobObserver {
        private final RecognizeRequest request;
        private final ServerCallStreamObserver<RecognizeResponse> response;
        private final List<Utterance> finals = new ArrayList<>();
        private volatile long samples;

        Collector(RecognizeRequest request, ServerCallStreamObserver<RecognizeResponse> response) {
            this.request = request;
            this.response = response;
        }

        @Override
        public void onAudioDecoded(Job job, java.nio.file.Path audioFile, long decodedSamples) {
            samples = decodedSamples;
        }

        @Override
        public void onUtterance(Job job, Utterance utterance) {
            synchronized (finals) {
                finals.add(utterance);
            }
        }

        @Override
        public void onCompleted(Job job, Outcome outcome) {
            if (response.isCancelled()) return;
            if (!outcome.ok()) {
                response.onError(statusOf(outcome.status(), outcome.error()).asException());
                return;
            }
            List<Utterance> copy;
            synchronized (finals) {
                copy = List.copyOf(finals);
            }
            boolean withWords = request.getConfig().getEnableWordTimeOffsets();
            StringBuilder text = new StringBuilder();
            SpeechRecognitionAlternative.Builder alt = SpeechRecognitionAlternative.newBuilder();
            String language = null;
            for (Utterance u : copy) {
                String t = u.text().strip();
                if (t.isEmpty()) continue;
                if (!text.isEmpty()) text.append(' ');
                text.append(t);
                if (language == null && u.language() != null) language = u.language();
                if (withWords) {
                    List<TranscriptEvent.WordTiming> words = TranscriptWords.of(u.tokens(), u.endMs(),
                            LongUnaryOperator.identity());
                    alt.addAllWords(RivaResults.words(words, u.language()));
                }
            }
            alt.setTranscript(text.toString());
            if (language != null) alt.addLanguageCode(language);
            RecognizeResponse.Builder out = RecognizeResponse.newBuilder().addResults(SpeechRecognitionResult.newBuilder()
                    .addAlternatives(alt).setChannelTag(1).setAudioProcessed(samples / 16_000f));
            if (request.hasId()) out.setId(request.getId());
            response.onNext(out.build());
            response.onCompleted();
        }
    }
}
