package org.herd.stream;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The rooms of stream-processor and which may use which: the table "stream-processor" of
 * docs/architecture.md, row for row. A rule that fails names the dependency that broke it.
 */
@AnalyzeClasses(packages = "org.herd.stream", importOptions = ImportOption.DoNotIncludeTests.class)
class StreamRoomsTest {
    @ArchTest
    static final ArchRule roomsUseOnlyTheRoomsBelowThem = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("model").definedBy("org.herd.stream.model..")
            .layer("geo").definedBy("org.herd.stream.geo..")
            .layer("store").definedBy("org.herd.stream.store..")
            .layer("fence").definedBy("org.herd.stream.fence..")
            .layer("topology").definedBy("org.herd.stream.topology..")
            .whereLayer("model").mayNotAccessAnyLayer()
            .whereLayer("geo").mayOnlyAccessLayers("model")
            .whereLayer("store").mayOnlyAccessLayers("model")
            .whereLayer("fence").mayOnlyAccessLayers("model", "geo", "store")
            .whereLayer("topology").mayOnlyAccessLayers("model", "geo", "store", "fence");

    @ArchTest
    static final ArchRule everyClassLivesInARoom = com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
            .should().resideInAnyPackage("org.herd.stream.model..", "org.herd.stream.geo..", "org.herd.stream.store..",
                    "org.herd.stream.fence..", "org.herd.stream.topology..");

    @ArchTest
    static final ArchRule noCyclesBetweenRooms = slices().matching("org.herd.stream.(*)..").should().beFreeOfCycles();
}
