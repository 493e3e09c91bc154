package org.streamasr.tools;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
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
}
