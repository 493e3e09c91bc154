package org.streamasr.riva;

import java.util.List;
import nvidia.riva.asr.RivaAsr.SpeechRecognitionAlternative;
import nvidia.riva.asr.RivaAsr.StreamingRecognitionResult;
import nvidia.riva.asr.RivaAsr.WordInfo;
import org.streamasr.media.TranscriptEvent;

/**
 * Our transcript events as Riva results. A final's transcript ends with a space, so that clients which concatenate
 * finals with no separator (LiteLLM) still get words apart; word times are milliseconds from the start of the
 * stream's audio. Interim stability is measured: the share of the partial's words that the previous partial of the
 * same utterance already had, in the same places (0 for an utterance's first partial).
 */
final class RivaResults {
    private String lastUtterance;
    private String[] lastWords = new String[0];

    /** Maps an interim event; call in event order (the stability compares with the previous partial). */
    StreamingRecognitionResult interim(TranscriptEvent e, float audioProcessed) {
        String[] words = e.text().isBlank() ? new String[0] : e.text().trim().split("\\s+");
        int same = 0;
        if (e.utteranceId().equals(lastUtterance)) {
            while (same < words.length && same < lastWords.length && words[same].equals(lastWords[same])) same++;
        }
        lastUtterance = e.utteranceId();
        lastWords = words;
        float stability = words.length == 0 ? 0f : same / (float) words.length;
        return StreamingRecognitionResult.newBuilder()
                .addAlternatives(alternative(e, false))
                .setIsFinal(false)
                .setStability(stability)
                .setChannelTag(1)
                .setAudioProcessed(audioProcessed)
                .build();
    }

    StreamingRecognitionResult fin(TranscriptEvent e, boolean withWords, float audioProcessed) {
        lastUtterance = null;
        lastWords = new String[0];
        return StreamingRecognitionResult.newBuilder()
                .addAlternatives(alternative(e, withWords))
                .setIsFinal(true)
                .setChannelTag(1)
                .setAudioProcessed(audioProcessed)
                .build();
    }

    /** One alternative (the engines give one hypothesis); a final's transcript ends with a space. */
    static SpeechRecognitionAlternative alternative(TranscriptEvent e, boolean withWords) {
        String text = e.text().strip();
        SpeechRecognitionAlternative.Builder a = SpeechRecognitionAlternative.newBuilder()
                .setTranscript(e.isFinal() && !text.isEmpty() ? text + " " : text);
        if (e.language() != null) a.addLanguageCode(e.language());
        if (withWords) a.addAllWords(words(e.words(), e.language()));
        return a.build();
    }

    static List<WordInfo> words(List<TranscriptEvent.WordTiming> words, String language) {
        return words.stream().map(w -> {
            WordInfo.Builder b = WordInfo.newBuilder().setWord(w.word())
                    .setStartTime((int) Math.min(Integer.MAX_VALUE, w.startMs()))
                    .setEndTime((int) Math.min(Integer.MAX_VALUE, w.endMs()));
            if (language != null) b.setLanguageCode(language);
            return b.build();
        }).toList();
    }
}
