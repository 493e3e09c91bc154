package org.streamasr.server;

/** A configuration value that cannot be used; the message starts with its key ("asr.server.port: ..."). */
public class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String key, String problem) {
        super(key + ": " + problem);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
