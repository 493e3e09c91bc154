package org.streamasr.api.store;

/**
 * How a request ended: the HTTP status and JSON body its result answers with, and for failures the message and
 * fal-style error type that the status shows.
 *
 * @param bodyJson           the result body ({@code {"output": ..., "partial": false}} or an error body)
 * @param error              null on success
 * @param errorType          null on success
 * @param inferenceSeconds   time spent running it
 */
public record Outcome(int status, String bodyJson, String error, String errorType, double inferenceSeconds) {
    public boolean ok() {
        return error == null;
    }
}
