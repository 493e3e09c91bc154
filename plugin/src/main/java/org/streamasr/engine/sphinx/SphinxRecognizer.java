package org.streamasr.engine.sphinx;

import java.util.ArrayList;
import java.util.List;
import org.streamasr.engine.RecognitionException;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.TimedToken;
import org.streamasr.engine.Utterance;

/**
 * The decoding state of one stream: feeds 100 ms pieces to its own pocketsphinx decoder, follows the decoder's
 * voice activity state to open and close utterances (as {@code pocketsphinx_continuous} does), sends partial
 * hypotheses at the stream's cadence and a final at each endpoint, at {@code maxUtterance}, and at the end of the
 * audio. Used by one worker at a time (the stream's serial drain task); never shared.
 */
final class SphinxRecognizer {
    /** The model is English; under "auto" that is also what it reports. */
    static final String LANGUAGE = "en-US";
    private static final int SAMPLE_RATE = 16_000;
    /** pocketsphinx's -vad_prespeech + -vad_startspeech defaults: speech began about this long before the VAD said so. */
    private static final long ONSET_SAMPLES = 30L * SphinxDecoder.SAMPLES_PER_FRAME;

    private final SphinxDecoder decoder;
    private final RecognitionListener listener;
    private final String idPrefix;
    private final long partialEverySamples;
    private final long maxUtteranceSamples;

    /** Samples fed to the decoder since its stream started (its clock; pieces the stream dropped never reach it). */
    private long decoderPos;
    /** Stream clock minus decoder clock for the piece being fed (grows when the stream drops audio). */
    private long clockOffset;
    private int index;
    private boolean speechSeen;
    private long uttStart;      // stream clock
    private long uttOffset;     // clockOffset when the utterance opened
    private long sinceLastPartial;
    private String lastPartial = "";

    SphinxRecognizer(SphinxDecoder decoder, RecognitionListener listener, String idPrefix, int partialEveryMillis,
                     long maxUtteranceMillis) throws RecognitionException {
        this.decoder = decoder;
        this.listener = listener;
        this.idPrefix = idPrefix;
        this.partialEverySamples = (long) partialEveryMillis * SAMPLE_RATE / 1000;
        this.maxUtteranceSamples = maxUtteranceMillis * SAMPLE_RATE / 1000;
        decoder.startStream();
        decoder.startUtterance();
    }

    /** Decodes one piece whose first sample is {@code streamPos} on the stream's clock. */
    void feed(short[] piece, int count, long streamPos) throws RecognitionException {
        clockOffset = streamPos - decoderPos;
        decoder.process(piece, count);
        decoderPos += count;
        sinceLastPartial += count;
        boolean inSpeech = decoder.inSpeech();
        if (inSpeech && !speechSeen) {
            speechSeen = true;
            uttOffset = clockOffset;
            uttStart = Math.max(streamNow() - count - ONSET_SAMPLES, uttStart);
            sinceLastPartial = partialEverySamples;  // first words as soon as there are any
        }
        if (!speechSeen) return;
        if (!inSpeech) {
            endUtterance(streamNow());
        } else if (streamNow() - uttStart >= maxUtteranceSamples) {
            endUtterance(streamNow());
        } else if (sinceLastPartial >= partialEverySamples) {
            sinceLastPartial = 0;
            String hyp = decoder.hypothesis();
            if (!hyp.isEmpty() && !hyp.equals(lastPartial)) {
                lastPartial = hyp;
                listener.onPartial(new Utterance(id(), index, hyp, LANGUAGE, millis(uttStart), millis(streamNow()), List.of()));
            }
        }
    }

    /** End of audio: closes the open utterance, delivering its final when it holds anything. */
    void finish() throws RecognitionException {
        endUtterance(streamNow());
        decoder.endUtterance();
    }

    int utterancesDelivered() {
        return index;
    }

    private void endUtterance(long streamEnd) throws RecognitionException {
        decoder.endUtterance();
        String text = decoder.hypothesis();
        if (!text.isEmpty() || !lastPartial.isEmpty()) {
            List<TimedToken> tokens = new ArrayList<>();
            long start = uttStart, end = streamEnd;
            List<SphinxDecoder.Word> words = text.isEmpty() ? List.of() : decoder.words();
            for (SphinxDecoder.Word w : words) {
                tokens.add(new TimedToken(-1, w.text(), millis(frameToStream(w.startFrame()))));
            }
            if (!words.isEmpty()) {
                start = frameToStream(words.get(0).startFrame());
                end = Math.min(streamEnd, frameToStream(words.get(words.size() - 1).endFrame() + 1));
            }
            listener.onFinal(new Utterance(id(), index, text, LANGUAGE, millis(start), millis(Math.max(start, end)), tokens));
            index++;
        }
        speechSeen = false;
        lastPartial = "";
        uttStart = streamEnd;
        decoder.startUtterance();
    }

    private long frameToStream(int frame) {
        return (long) frame * SphinxDecoder.SAMPLES_PER_FRAME + uttOffset;
    }

    private long streamNow() {
        return decoderPos + clockOffset;
    }

    private String id() {
        return idPrefix + "-" + index;
    }

    private static long millis(long samples) {
        return samples * 1000 / SAMPLE_RATE;
    }
}
