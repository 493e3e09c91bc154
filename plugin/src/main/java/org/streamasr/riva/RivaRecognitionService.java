package org.streamasr.riva;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import nvidia.riva.asr.RivaAsr.RecognizeRequest;
import nvidia.riva.asr.RivaAsr.RecognizeResponse;
import nvidia.riva.asr.RivaAsr.RivaSpeechRecognitionConfigRequest;
import nvidia.riva.asr.RivaAsr.RivaSpeechRecognitionConfigResponse;
import nvidia.riva.asr.RivaAsr.StreamingRecognizeRequest;
import nvidia.riva.asr.RivaAsr.StreamingRecognizeResponse;
import nvidia.riva.asr.RivaSpeechRecognitionGrpc;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.TranscriptListener;
import org.streamasr.stream.CallRejections;

/**
 * {@code nvidia.riva.asr.RivaSpeechRecognition}: StreamingRecognize runs as a live call (one per RPC, source
 * "riva"), Recognize as a whole file through {@link RivaFileRecognizer}, GetRivaSpeechRecognitionConfig from
 * {@link RivaModels}. Handlers only parse, check and hand on; they run on the server's executor.
 */
final class RivaRecognitionService extends RivaSpeechRecognitionGrpc.RivaSpeechRecognitionImplBase implements RivaCalls {
    static final String SOURCE = "riva";

    private final CallSink calls;
    private final RivaModels models;
    private final RivaFileRecognizer files;
    private final Executor mediaPool;
    private final MediaMetrics media;

    RivaRecognitionService(CallSink calls, RivaModels models, RivaFileRecognizer files, Executor mediaPool,
                           MediaMetrics media) {
        this.calls = calls;
        this.models = models;
        this.files = files;
        this.mediaPool = mediaPool;
        this.media = media;
    }

    @Override
    public StreamObserver<StreamingRecognizeRequest> streamingRecognize(
            StreamObserver<StreamingRecognizeResponse> responses) {
        return new RivaStreamingSession((ServerCallStreamObserver<StreamingRecognizeResponse>) responses, this,
                mediaPool, media);
    }

    @Override
    public void recognize(RecognizeRequest request, StreamObserver<RecognizeResponse> response) {
        files.recognize(request, (ServerCallStreamObserver<RecognizeResponse>) response);
    }

    @Override
    public void getRivaSpeechRecognitionConfig(RivaSpeechRecognitionConfigRequest request,
                                               StreamObserver<RivaSpeechRecognitionConfigResponse> response) {
        try {
            response.onNext(models.list(request.getModelName()));
            response.onCompleted();
        } catch (StatusException e) {
            response.onError(e);
        }
    }

    @Override
    public CallHandle open(String model, String language, TranscriptListener listener) throws StatusException {
        RivaModels.Selection s = models.select(model, language);
        CallSpec spec = new CallSpec(SOURCE + "-" + UUID.randomUUID(), SOURCE, s.language(),
                s.model().callAttributes(Map.of()));
        try {
            return calls.openCall(spec, listener);
        } catch (CallRejections.AtCapacity e) {
            Status status = e.getMessage().contains("shutting down") ? Status.UNAVAILABLE : Status.RESOURCE_EXHAUSTED;
            throw status.withDescription(e.getMessage()).asException();
        } catch (CallRejectedException e) {
            throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException();
        }
    }
}
