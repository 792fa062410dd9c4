package org.herd.node;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of docs/architecture.md, checked on every build: the rooms of the node, which may
 * use which, and no cycles. A rule that fails names the dependency that broke it.
 */
@AnalyzeClasses(packages = "org.herd", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String[] LIBRARIES = {"java..", "org.slf4j..", "com.fasterxml.jackson..", "io.netty..",
            "io.micrometer..", "org.herd.stream.."};

    @ArchTest
    static final ArchRule noCyclesBetweenTheRoomsOfTheNode =
            slices().matching("org.herd.node.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule theStreamProcessorKnowsNothingOfTheNode =
            noClasses().that().resideInAPackage("org.herd.stream..")
                    .should().dependOnClassesThat().resideInAPackage("org.herd.node..");

    @ArchTest
    static final ArchRule theProtocolIsPure =
            classes().that().resideInAPackage("org.herd.node.protocol..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "com.fasterxml.jackson..",
                            "org.herd.stream..", "org.herd.node.protocol..");

    @ArchTest
    static final ArchRule theFrontDoorsReachOnlyTheService =
            classes().that().resideInAnyPackage("org.herd.node.tcp..", "org.herd.node.http..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage(concat(LIBRARIES,
                            "org.herd.node.tcp..", "org.herd.node.http..", "org.herd.node.service..",
                            "org.herd.node.protocol..", "org.herd.node.net..", "org.herd.node.telemetry.."));

    @ArchTest
    static final ArchRule onlyTheWiringUsesTheWiring =
            noClasses().that().resideOutsideOfPackage("org.herd.node")
                    .and().resideInAPackage("org.herd.node..")
                    .should().dependOnClassesThat().resideInAPackage("org.herd.node");

    @ArchTest
    static final ArchRule theReplicaKnowsNoClientsOrFrontDoors =
            noClasses().that().resideInAPackage("org.herd.node.replica..")
                    .should().dependOnClassesThat().resideInAnyPackage("org.herd.node.service..",
                            "org.herd.node.tcp..", "org.herd.node.http..", "org.herd.node.places..");

    @ArchTest
    static final ArchRule telemetryStandsAlone =
            noClasses().that().resideInAPackage("org.herd.node.telemetry..")
                    .should().dependOnClassesThat().resideInAnyPackage("org.herd.node.service..",
                            "org.herd.node.replica..", "org.herd.node.tcp..", "org.herd.node.http..",
                            "org.herd.node.net..", "org.herd.node.places..", "org.herd.node.ops..");

    /** Every class of the node and stream-processor, nested ones too: no two share a simple name. */
    @ArchTest
    static void noTwoClassesShareASimpleName(com.tngtech.archunit.core.domain.JavaClasses classes) {
        java.util.Map<String, java.util.List<String>> byName = new java.util.TreeMap<>();
        for (var c : classes) {
            if (!c.isAnonymousClass() && !c.isLocalClass() && !c.getSimpleName().isEmpty()) {
                byName.computeIfAbsent(c.getSimpleName(), k -> new java.util.ArrayList<>()).add(c.getName());
            }
        }
        byName.values().removeIf(names -> names.size() < 2);
        org.assertj.core.api.Assertions.assertThat(byName).as("classes sharing a simple name").isEmpty();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
