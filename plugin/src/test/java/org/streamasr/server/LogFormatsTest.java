package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.stream.LoggingCallEvents;

/**
 * The two log configurations bin/asr chooses between (ASR_LOG_FORMAT): the text pattern shows a line's key-value
 * pairs after its message, and logback-json.xml writes one valid JSON object per line with the pairs as fields.
 * Each test loads the real file from the class path into the process' logger context and captures its appender.
 */
class LogFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

    @AfterEach
    void restoreTheTestLogging() throws Exception {
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    /** Configures the logger context from {@code resource}; what its one appender writes lands in the result. */
    private ByteArrayOutputStream configure(String resource) throws Exception {
        context.reset();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(getClass().getClassLoader().getResource(resource));
        Iterator<Appender<ILoggingEvent>> appenders = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>) appenders.next();
        assertFalse(appenders.hasNext(), resource + " has one appender");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        appender.setOutputStream(out);
        return out;
    }

    /** What the server logs: a lifecycle line with pairs, a plain line, and an error with a stack trace. */
    private static void logSomeLines() {
        new LoggingCallEvents().subscriberClosed("standup-1", "too slow: 2000000 bytes \"waiting\"", true);
        LoggerFactory.getLogger(AsrServer.class).info("streamasr stopped");
        LoggerFactory.getLogger(AsrServer.class).error("something broke", new IllegalStateException("boom"));
    }

    private static List<String> lines(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void theTextPatternShowsTheKeyValuePairsAfterTheMessage() throws Exception {
        ByteArrayOutputStream out = configure("logback.xml");
        logSomeLines();
        List<String> lines = lines(out);
        String evicted = lines.get(0);
        assertTrue(evicted.contains(" WARN  [") && evicted.contains("org.streamasr.calls - "), evicted);
        assertTrue(evicted.endsWith(" event=\"subscriber-evicted\" callId=\"standup-1\" "
                + "reason=\"too slow: 2000000 bytes \"waiting\"\""), evicted);
        assertTrue(lines.get(1).endsWith("o.streamasr.server.AsrServer - streamasr stopped"),
                "a line without pairs ends with its message: '" + lines.get(1) + "'");
        assertTrue(lines.get(2).endsWith(" - something broke"), lines.get(2));
        assertEquals("java.lang.IllegalStateException: boom", lines.get(3));
    }

    @Test
    void theJsonConfigWritesOneValidJsonObjectPerLineWithThePairsAsFields() throws Exception {
        ByteArrayOutputStream out = configure("logback-json.xml");
        logSomeLines();
        List<String> lines = lines(out);
        assertEquals(3, lines.size(), "one line per event, the stack trace inside its line: " + lines);
        JsonNode evicted = JSON.readTree(lines.get(0));
        assertEquals("WARN", evicted.get("level").asText());
        assertEquals("org.streamasr.calls", evicted.get("loggerName").asText());
        assertEquals("call standup-1: caption subscriber evicted: too slow: 2000000 bytes \"waiting\"",
                evicted.get("formattedMessage").asText(), evicted.toString());
        Map<String, String> pairs = new HashMap<>();
        for (JsonNode kv : evicted.get("kvpList")) kv.fields().forEachRemaining(e -> pairs.put(e.getKey(), e.getValue().asText()));
        assertEquals(Map.of("event", "subscriber-evicted", "callId", "standup-1",
                "reason", "too slow: 2000000 bytes \"waiting\""), pairs);

        JsonNode plain = JSON.readTree(lines.get(1));
        assertEquals("INFO", plain.get("level").asText());
        assertEquals("streamasr stopped", plain.get("formattedMessage").asText());
        assertFalse(plain.has("kvpList"), "no pairs, no kvpList: " + plain);

        JsonNode error = JSON.readTree(lines.get(2));
        assertEquals("ERROR", error.get("level").asText());
        assertEquals("java.lang.IllegalStateException", error.get("throwable").get("className").asText());
        assertEquals("boom", error.get("throwable").get("message").asText());
        assertTrue(error.get("throwable").get("stepArray").size() > 0, error.toString());
    }
}
