package org.streamasr.riva;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import nvidia.riva.asr.RivaAsr.RecognizeRequest;
import nvidia.riva.asr.RivaAsr.RecognizeResponse;

/** Recognize: a whole file through the hosted API's decode and transcribe path. (WIP: wired after the apis merge.) */
public final class RivaFileRecognizer {

    void recognize(RecognizeRequest request, ServerCallStreamObserver<RecognizeResponse> response) {
        response.onError(Status.UNIMPLEMENTED.withDescription("Recognize is not wired yet").asException());
    }
}
