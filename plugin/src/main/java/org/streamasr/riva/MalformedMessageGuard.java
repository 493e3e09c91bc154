package org.streamasr.riva;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Answers a request message that is not valid protobuf with INVALID_ARGUMENT and ends only that call (grpc-java's own
 * answer is UNKNOWN "Application error processing RPC", with a stack trace in the log). Works on services whose
 * messages are parsed inside the listener chain ({@code ServerInterceptors.useInputStreamMessages}): a parse failure
 * surfaces from {@code onMessage}, the call is closed, and the handler is told the call was cancelled.
 */
final class MalformedMessageGuard implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean closed;

            @Override
            public void onMessage(Q message) {
                if (closed) return;
                try {
                    super.onMessage(message);
                } catch (StatusRuntimeException e) {
                    if (!(e.getCause() instanceof InvalidProtocolBufferException bad)) throw e;
                    closed = true;
                    call.close(Status.INVALID_ARGUMENT.withDescription("malformed request message: " + bad.getMessage()),
                            new Metadata());
                    super.onCancel();
                }
            }

            @Override
            public void onHalfClose() {
                if (!closed) super.onHalfClose();
            }

            @Override
            public void onReady() {
                if (!closed) super.onReady();
            }
        };
    }
}
