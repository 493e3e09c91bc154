package org.streamasr.riva;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import nvidia.riva.RivaCommon.RequestId;
import nvidia.riva.asr.RivaAsr.RecognitionConfig;
import nvidia.riva.asr.RivaAsr.StreamingRecognitionConfig;
import nvidia.riva.asr.RivaAsr.StreamingRecognitionResult;
import nvidia.riva.asr.RivaAsr.StreamingRecognizeRequest;
import nvidia.riva.asr.RivaAsr.StreamingRecognizeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.media.CallHandle;
import java.util.concurrent.Executor;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ingest.ParticipantIngest;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;

/**
 * One {@code StreamingRecognize} call, a protocol parser on the ingest pipeline like every adapter: the first
 * request's {@code streaming_config} opens a call (one participant and its {@link ParticipantIngest}), every later
 * {@code audio_content} is parsed ({@link RivaAudioInput}: PCM samples or G.711 packets) and handed over the
 * ingest's bounded queue (decoded, resampled and framed on the media pool, never on the gRPC thread), and the
 * client's half-close ends the audio; the call's last finals are sent, then the RPC ends OK. A protocol error ends
 * this RPC with INVALID_ARGUMENT (Riva's status for a bad request) and nothing else. Requests arrive serialized on gRPC's executor; results are sent from the call's
 * event thread, under a lock, since a gRPC stream observer is not thread-safe. Interims give way (counted) while the
 * client is not reading; finals are always sent.
 */
final class RivaStreamingSession implements StreamObserver<StreamingRecognizeRequest>, TranscriptListener {
    private static final Logger LOG = LoggerFactory.getLogger(RivaStreamingSession.class);
    static final String PARTICIPANT = "riva";

    private final ServerCallStreamObserver<StreamingRecognizeResponse> out;
    private final RivaCalls calls;
    private final Executor mediaPool;
    private final MediaMetrics media;
    private final DropCounter drops;
    private final RivaResults results = new RivaResults();
    private final Object sendLock = new Object();

    private CallHandle call;
    private RivaAudioInput input;
    private volatile StreamingRecognitionConfig config;
    private volatile RequestId requestId;
    private volatile float audioProcessed;
    private boolean inputEnded;
    private boolean done; // guarded by sendLock: the RPC was closed (or cancelled)

    RivaStreamingSession(ServerCallStreamObserver<StreamingRecognizeResponse> out, RivaCalls calls, Executor mediaPool,
                         MediaMetrics media) {
        this.out = out;
        this.calls = calls;
        this.mediaPool = mediaPool;
        this.media = media;
        this.drops = media.dropCounter(RivaRecognitionService.SOURCE);
        out.setOnCancelHandler(this::cancelled);
    }

    // ---- requests (gRPC executor, one at a time) ----

    @Override
    public void onNext(StreamingRecognizeRequest request) {
        if (isDone() || inputEnded) return;
        if (request.hasId()) requestId = request.getId();
        try {
            switch (request.getStreamingRequestCase()) {
                case STREAMING_CONFIG -> {
                    if (config != null) throw RivaAudioFormat.invalid("streaming_config may only be in the first request");
                    start(request.getStreamingConfig());
                }
                case AUDIO_CONTENT -> {
                    if (config == null) {
                        throw RivaAudioFormat.invalid("the first request must carry streaming_config, not audio_content");
                    }
                    input.accept(request.getAudioContent());
                    audioProcessed = input.secondsReceived();
                }
                default -> {
                    if (config == null) throw RivaAudioFormat.invalid("the first request must carry streaming_config");
                }
            }
        } catch (StatusException e) {
            fail(e.getStatus());
        } catch (RuntimeException e) {
            LOG.warn("riva: stream failed", e);
            fail(Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName()));
        }
    }

    private void start(StreamingRecognitionConfig c) throws StatusException {
        RecognitionConfig rc = c.getConfig();
        RivaAudioFormat format = RivaAudioFormat.ofStreaming(rc);
        call = calls.open(rc.getModel(), rc.getLanguageCode(), this);
        config = c;
        ParticipantAudio audio = call.openParticipant(new ParticipantSpec(PARTICIPANT, PARTICIPANT, null));
        input = new RivaAudioInput(format, ParticipantIngest.builder(audio, mediaPool, media, RivaRecognitionService.SOURCE)
                .label(call.callId()));
    }

    /** The client half-closed: no more audio; the call ends once its last finals were sent. */
    @Override
    public void onCompleted() {
        if (inputEnded) return;
        inputEnded = true;
        if (call == null) {
            complete(Status.OK);
            return;
        }
        CallHandle c = call;
        input.close().whenComplete((v, e) -> c.close()); // the queued audio plays out, then the call's last finals
    }

    /** The client cancelled or the transport broke. */
    @Override
    public void onError(Throwable t) {
        cancelled();
    }

    private void cancelled() {
        synchronized (sendLock) {
            done = true;
        }
        endCall();
    }

    // ---- results (the call's event thread) ----

    @Override
    public void onTranscript(TranscriptEvent event) {
        StreamingRecognitionConfig c = config;
        if (c == null) return;
        StreamingRecognitionResult r;
        if (event.isFinal()) {
            r = results.fin(event, c.getConfig().getEnableWordTimeOffsets(), audioProcessed);
        } else {
            if (!c.getInterimResults()) return;
            if (!out.isReady()) {
                drops.drop("interim-not-read", "the client is not reading; interim result skipped");
                return;
            }
            r = results.interim(event, audioProcessed);
        }
        StreamingRecognizeResponse.Builder b = StreamingRecognizeResponse.newBuilder().addResults(r);
        RequestId id = requestId;
        if (id != null) b.setId(id);
        send(b.build());
    }

    @Override
    public void onCallEnded(String callId, String reason) {
        complete(switch (reason) {
            case "closed" -> Status.OK;
            case "shutdown" -> Status.UNAVAILABLE.withDescription("the server is shutting down");
            case "idle" -> Status.DEADLINE_EXCEEDED.withDescription("no audio for asr.calls.idle-timeout");
            case "failed" -> Status.INTERNAL.withDescription("recognition failed");
            default -> Status.ABORTED.withDescription("the recognition was ended: " + reason);
        });
    }

    // ---- sending ----

    private void send(StreamingRecognizeResponse response) {
        synchronized (sendLock) {
            if (done) return;
            try {
                out.onNext(response);
            } catch (RuntimeException e) {
                done = true; // cancelled under us
            }
        }
    }

    private void complete(Status status) {
        synchronized (sendLock) {
            if (done) return;
            done = true;
            try {
                if (status.isOk()) out.onCompleted();
                else out.onError(status.asRuntimeException());
            } catch (RuntimeException e) {
                // already cancelled
            }
        }
    }

    /** Ends the RPC with {@code status}; the call (if any) ends without sending anything more. */
    private void fail(Status status) {
        complete(status);
        endCall();
    }

    private void endCall() {
        inputEnded = true;
        if (input != null) input.close();
        if (call != null) call.close();
    }

    private boolean isDone() {
        synchronized (sendLock) {
            return done;
        }
    }
}
