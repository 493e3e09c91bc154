package org.streamasr.tools;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The design notes' rules on which code may know which, checked on the production classes of every module (this
 * module's class path holds them all: media-adapters, plugin, test-kit, tools); test classes are not checked.
 */
class DesignRulesTest {
    /** Maven's test-jars (what a {@code verify} run puts on the class path instead of target/test-classes). */
    private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar!/.*");
    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.matches(TEST_JAR))
                .importPackages("org.streamasr");
        for (String pkg : List.of("org.streamasr.media", "org.streamasr.engine", "org.streamasr.server",
                "org.streamasr.tools")) {
            assertTrue(production.containPackage(pkg), "no classes of " + pkg + " were found to check");
        }
    }

    @Test
    void mediaAdaptersKnowNoEngine() {
        noClasses().that().resideInAPackage("org.streamasr.media..")
                .should().dependOnClassesThat().resideInAPackage("org.streamasr.engine..")
                .check(production);
    }

    @Test
    void theEngineKnowsNoNetworkServerOrCalls() {
        noClasses().that().resideInAPackage("org.streamasr.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.streamasr.server..", "org.streamasr.api..",
                        "org.streamasr.captions..", "org.streamasr.stream..", "jakarta.websocket..", "org.glassfish..")
                .check(production);
    }

    /** The engine knows no media adapter either: what both share (drop counting, queues, pools) is the runtime kit. */
    @Test
    void theEngineKnowsNoMediaAdapter() {
        noClasses().that().resideInAPackage("org.streamasr.engine..")
                .should().dependOnClassesThat().resideInAPackage("org.streamasr.media..")
                .check(production);
    }

    @Test
    void apiStreamAndCaptionsNeverImportTheServer() {
        noClasses().that().resideInAnyPackage("org.streamasr.api..", "org.streamasr.stream..", "org.streamasr.captions..")
                .should().dependOnClassesThat().resideInAPackage("org.streamasr.server..")
                .check(production);
    }

    @Test
    void nothingInProductionImportsATool() {
        noClasses().that(not(resideInAPackage("org.streamasr.tools..")))
                .should().dependOnClassesThat(resideInAnyPackage("org.streamasr.tools.."))
                .check(production);
    }

    /**
     * References point one way: a call gets a {@code CallContext} instead of its registry, a participant's two halves
     * (ingest, transcripts) a {@code ParticipantContext} and {@code ParticipantCallbacks} instead of their call.
     */
    @Test
    void callsNeverHoldTheirRegistry() {
        noClasses().that().haveNameMatching("org\\.streamasr\\.stream\\.CallSession(\\$.*)?")
                .should().dependOnClassesThat().haveFullyQualifiedName("org.streamasr.stream.CallRegistry")
                .check(production);
    }

    @Test
    void participantStreamsNeverHoldTheirCall() {
        noClasses().that().haveNameMatching("org\\.streamasr\\.stream\\.Participant(Stream|Transcripts)(\\$.*)?")
                .should().dependOnClassesThat()
                .haveNameMatching("org\\.streamasr\\.stream\\.Call(Session|Registry)(\\$.*)?")
                .check(production);
    }

    /**
     * The live APIs (Deepgram, OpenAI realtime, Riva) hand encoded audio to the one ingest pipeline, which decodes it
     * on the media pool: they never hold a decoder of their own on the network thread (they demux Ogg, no more).
     */
    @Test
    void liveApisDecodeOnlyThroughTheIngestPipeline() {
        noClasses().that().resideInAnyPackage("org.streamasr.apis..", "org.streamasr.riva..")
                .should().dependOnClassesThat().haveFullyQualifiedName("org.streamasr.media.opus.OpusFrameDecoder")
                .check(production);
    }

    /**
     * Riva's gRPC threads never expand G.711 (the law tables): streamed MULAW/ALAW goes to the ingest pipeline as
     * packets, a Recognize file to the hosted API's ffmpeg under a G.711 WAV header. (The apis package still mixes
     * multichannel G.711 to mono on the connection's thread, so this rule covers riva only.)
     */
    @Test
    void rivaNeverExpandsG711OnItsGrpcThreads() {
        noClasses().that().resideInAPackage("org.streamasr.riva..")
                .should().dependOnClassesThat().haveFullyQualifiedName("org.streamasr.media.g711.G711")
                .check(production);
    }

    /** The README's naming rule: settings are {@code *Config} (read by a {@code *ConfigReader}) or {@code *Spec}. */
    @Test
    void settingsTypesFollowTheNamingRule() {
        noClasses().should().haveSimpleNameEndingWith("Settings").orShould().haveSimpleNameEndingWith("Options")
                .check(production);
    }

    /** One name, one thing: no two production classes share a simple name (two ApiKeys, two SessionFactory were). */
    @Test
    void noTwoClassesShareAName() {
        java.util.Map<String, List<String>> byName = new java.util.TreeMap<>();
        production.stream().filter(c -> c.getEnclosingClass().isEmpty() && !c.getSimpleName().equals("package-info"))
                .forEach(c -> byName.computeIfAbsent(c.getSimpleName(), k -> new java.util.ArrayList<>()).add(c.getName()));
        List<String> shared = byName.values().stream().filter(v -> v.size() > 1).map(Object::toString).toList();
        assertTrue(shared.isEmpty(), "classes sharing a simple name: " + shared);
    }

    /** Every thread gets its name (and its logged uncaught failures) from the runtime kit's {@code NamedThreads}. */
    @Test
    void threadsAreMadeOnlyByTheRuntimeKit() {
        noClasses().that(not(resideInAPackage("org.streamasr.runtime..")))
                .should().callConstructorWhere(targetOwnerIs(Thread.class))
                .orShould().beAssignableTo(Thread.class)
                .check(production);
    }

    /** An executor made without a thread factory would run on the JDK's unnamed "pool-N-thread-M" threads. */
    @Test
    void executorsAreGivenNamedThreads() {
        codeUnits().should(new ArchCondition<JavaCodeUnit>("give every executor they make a thread factory") {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                for (JavaAccess<?> access : unit.getAccessesFromSelf()) {
                    if (access instanceof JavaCall<?> call && makesThreads(call) && !givesThreadFactory(call)) {
                        events.add(SimpleConditionEvent.violated(call,
                                call.getDescription() + " makes threads without a NamedThreads factory"));
                    }
                }
            }
        }).check(production);
    }

    /** {@code Executors.new*}, {@code Executors.defaultThreadFactory} and the pool constructors. */
    private static boolean makesThreads(JavaCall<?> call) {
        String owner = call.getTargetOwner().getName();
        if (owner.equals(Executors.class.getName())) {
            return call.getName().startsWith("new") || call.getName().equals("defaultThreadFactory");
        }
        return (owner.equals(ThreadPoolExecutor.class.getName())
                || owner.equals(ScheduledThreadPoolExecutor.class.getName())) && call.getName().equals("<init>");
    }

    private static boolean givesThreadFactory(JavaCall<?> call) {
        return call.getTarget().getRawParameterTypes().stream().anyMatch(t -> t.isEquivalentTo(ThreadFactory.class));
    }

    private static DescribedPredicate<JavaAccess<?>> targetOwnerIs(Class<?> type) {
        return DescribedPredicate.describe("target is a constructor of " + type.getName(),
                access -> access.getTargetOwner().isEquivalentTo(type));
    }
}
