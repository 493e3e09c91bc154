package org.streamasr.riva;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import nvidia.riva.asr.RivaAsr.RecognitionConfig;
import nvidia.riva.asr.RivaAsr.StreamingRecognitionConfig;
import nvidia.riva.asr.RivaAsr.StreamingRecognitionResult;
import nvidia.riva.asr.RivaAsr.StreamingRecognizeRequest;
import nvidia.riva.asr.RivaAsr.StreamingRecognizeResponse;
import nvidia.riva.asr.RivaSpeechRecognitionGrpc;

/** A Riva client on the generated grpc-java stubs, as riva.client does it: key in metadata, config, audio, half-close. */
final class RivaClient implements AutoCloseable {
    final ManagedChannel channel;
    final RivaSpeechRecognitionGrpc.RivaSpeechRecognitionStub async;
    final RivaSpeechRecognitionGrpc.RivaSpeechRecognitionBlockingStub blocking;

    RivaClient(int port, String key) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(64 << 20).build();
        Metadata md = new Metadata();
        if (key != null) md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
        // what LiveKit and Pipecat send to NVCF, even to a local server
        md.put(Metadata.Key.of("function-id", Metadata.ASCII_STRING_MARSHALLER), "1598d209-5e27-4d3c-8079-4751568b1081");
        var headers = MetadataUtils.newAttachHeadersInterceptor(md);
        async = RivaSpeechRecognitionGrpc.newStub(channel).withInterceptors(headers);
        blocking = RivaSpeechRecognitionGrpc.newBlockingStub(channel).withInterceptors(headers)
                .withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    /** One StreamingRecognize call, recording what comes back. */
    final class Stream implements StreamObserver<StreamingRecognizeResponse> {
        final List<StreamingRecognizeResponse> responses = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final StreamObserver<StreamingRecognizeRequest> requests = async.streamingRecognize(this);

        Stream config(RecognitionConfig config, boolean interim) {
            requests.onNext(StreamingRecognizeRequest.newBuilder().setStreamingConfig(
                    StreamingRecognitionConfig.newBuilder().setConfig(config).setInterimResults(interim)).build());
            return this;
        }

        Stream audio(byte[] bytes, int chunk) {
            for (int off = 0; off < bytes.length; off += chunk) {
                requests.onNext(StreamingRecognizeRequest.newBuilder().setAudioContent(
                        ByteString.copyFrom(bytes, off, Math.min(chunk, bytes.length - off))).build());
            }
            return this;
        }

        /** Half-closes and waits for the server to end the call; the status as an exception, or null for OK. */
        StatusRuntimeException finish() throws Exception {
            requests.onCompleted();
            return await();
        }

        StatusRuntimeException await() throws Exception {
            try {
                done.get(120, TimeUnit.SECONDS);
                return null;
            } catch (java.util.concurrent.ExecutionException e) {
                return (StatusRuntimeException) e.getCause();
            }
        }

        List<StreamingRecognitionResult> results() {
            List<StreamingRecognitionResult> out = new ArrayList<>();
            for (StreamingRecognizeResponse r : responses) out.addAll(r.getResultsList());
            return out;
        }

        List<StreamingRecognitionResult> finals() {
            return results().stream().filter(StreamingRecognitionResult::getIsFinal).toList();
        }

        /** The finals' top transcripts joined as LiteLLM does (no separator), trimmed. */
        String transcript() {
            StringBuilder b = new StringBuilder();
            for (StreamingRecognitionResult r : finals()) b.append(r.getAlternatives(0).getTranscript());
            return b.toString().strip();
        }

        @Override
        public void onNext(StreamingRecognizeResponse value) {
            responses.add(value);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(null);
        }
    }

    Stream stream() {
        return new Stream();
    }

    static RecognitionConfig.Builder pcm16k() {
        return RecognitionConfig.newBuilder().setEncoding(nvidia.riva.RivaAudio.AudioEncoding.LINEAR_PCM)
                .setSampleRateHertz(16_000).setLanguageCode("en-US").setMaxAlternatives(1)
                .setEnableWordTimeOffsets(true).setEnableAutomaticPunctuation(true).setVerbatimTranscripts(true);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
