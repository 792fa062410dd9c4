package org.herd.node;

import com.tngtech.archunit.core.domain.JavaClass;
import org.herd.node.service.LocationUpdate;
import org.herd.node.service.PlacesAnswer;
import org.herd.node.service.PlacesNearClient;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of docs/architecture.md, checked on every build: the rooms of the node, which may
 * use which, and no cycles. A rule that fails names the dependency that broke it.
 */
@AnalyzeClasses(packages = "org.herd", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule noCyclesBetweenTheRoomsOfTheNode =
            slices().matching("org.herd.node.(*)..").should().beFreeOfCycles();

    /** The table "Which room may use which" of docs/architecture.md, row for row. */
    @ArchTest
    static final ArchRule roomsUseOnlyWhatTheTableAllows = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("wiring").definedBy("org.herd.node")
            .layer("tcp").definedBy("org.herd.node.tcp..")
            .layer("http").definedBy("org.herd.node.http..")
            .layer("protocol").definedBy("org.herd.node.protocol..")
            .layer("net").definedBy("org.herd.node.net..")
            .layer("service").definedBy("org.herd.node.service..")
            .layer("replica").definedBy("org.herd.node.replica..")
            .layer("events").definedBy("org.herd.node.events..")
            .layer("places").definedBy("org.herd.node.places..")
            .layer("ops").definedBy("org.herd.node.ops..")
            .layer("telemetry").definedBy("org.herd.node.telemetry..")
            .layer("config").definedBy("org.herd.node.config..")
            .layer("stream").definedBy("org.herd.stream..")
            .whereLayer("wiring").mayOnlyAccessLayers("tcp", "http", "protocol", "net", "service", "replica", "events",
                    "places", "ops", "telemetry", "config", "stream")
            .whereLayer("tcp").mayOnlyAccessLayers("service", "protocol", "net", "telemetry", "stream")
            .whereLayer("http").mayOnlyAccessLayers("service", "protocol", "net", "telemetry", "stream")
            .whereLayer("protocol").mayOnlyAccessLayers("service", "stream")
            .whereLayer("net").mayOnlyAccessLayers("telemetry")
            .whereLayer("service").mayOnlyAccessLayers("replica", "telemetry", "stream")
            .whereLayer("replica").mayOnlyAccessLayers("config", "telemetry", "stream")
            .whereLayer("events").mayOnlyAccessLayers("service", "config", "stream")
            .whereLayer("places").mayOnlyAccessLayers("service", "config", "stream")
            .whereLayer("ops").mayOnlyAccessLayers("config", "stream")
            .whereLayer("telemetry").mayNotAccessAnyLayer()
            .whereLayer("config").mayOnlyAccessLayers("stream")
            .whereLayer("stream").mayNotAccessAnyLayer();

    /** Parsing and formatting only: of the service, just the records it turns lines into and formats. */
    @ArchTest
    static final ArchRule theProtocolIsPure =
            classes().that().resideInAPackage("org.herd.node.protocol..")
                    .should().onlyDependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("java..", "com.fasterxml.jackson..",
                            "org.herd.stream..", "org.herd.node.protocol..")
                            .or(JavaClass.Predicates.belongToAnyOf(PlacesAnswer.class, LocationUpdate.class, PlacesNearClient.class)));

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
}
