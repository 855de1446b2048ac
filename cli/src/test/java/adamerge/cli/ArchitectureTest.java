package adamerge.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module and package rules of ARCHITECTURE.md, checked on the compiled classes of every
 * module (this module's test classpath holds them all). Each module's code lives in the package
 * named for it ({@code adamerge.<module>} and below), so a rule on packages is a rule on modules.
 */
class ArchitectureTest {
    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("adamerge");

    /** The layers of ARCHITECTURE.md's diagram: each may use only the ones it points to. */
    static final ArchRule LAYERS = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("tensor").definedBy("adamerge.tensor..")
            .layer("autograd").definedBy("adamerge.autograd..")
            .layer("vit").definedBy("adamerge.vit..")
            .layer("merging").definedBy("adamerge.merging..")
            .layer("opencl").definedBy("adamerge.opencl..")
            .layer("output").definedBy("adamerge.output..")
            .layer("training").definedBy("adamerge.training..")
            .layer("study").definedBy("adamerge.study..")
            .layer("bench").definedBy("adamerge.bench..")
            .layer("cli").definedBy("adamerge.cli..")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("bench").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("study").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("training").mayOnlyBeAccessedByLayers("study", "cli")
            .whereLayer("output").mayOnlyBeAccessedByLayers("study", "bench", "cli")
            .whereLayer("opencl").mayOnlyBeAccessedByLayers("bench", "cli")
            .whereLayer("merging").mayOnlyBeAccessedByLayers("study", "bench", "cli")
            .whereLayer("vit").mayOnlyBeAccessedByLayers("merging", "output", "training", "study", "bench", "cli")
            .whereLayer("autograd").mayOnlyBeAccessedByLayers("vit", "merging", "training", "study", "bench", "cli");

    @Test
    void modulesDependOneWay() {
        LAYERS.check(MAIN);
    }

    @Test
    void nothingImportsTheCommandLine() {
        noClasses().that().resideOutsideOfPackage("adamerge.cli..").should().dependOnClassesThat().resideInAPackage("adamerge.cli..")
                .check(MAIN);
    }

    /** Within a module too: e.g. {@code adamerge.tensor} finds its default CPU backend through a service, never by name. */
    @Test
    void noPackageCycles() {
        slices().matching("adamerge.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void onlyTheCommandLineAndTheBenchmarksParseOptions() {
        noClasses().that().resideOutsideOfPackages("adamerge.cli..", "adamerge.bench..")
                .should().dependOnClassesThat().resideInAPackage("picocli..")
                .check(MAIN);
    }

    /**
     * The library reports through return values, listeners and the writers it is given, never the
     * console. ClGemmBench is a program of the bench module that shares the OpenCL package (it
     * drives package-private GEMM hooks).
     */
    @Test
    void theLibraryDoesNotPrintToTheConsole() {
        noClasses().that().resideInAnyPackage("adamerge.tensor..", "adamerge.autograd..", "adamerge.vit..", "adamerge.merging..",
                        "adamerge.opencl..", "adamerge.training..", "adamerge.output..")
                .and().doNotHaveSimpleName("ClGemmBench")
                .should().accessField(System.class, "out").orShould().accessField(System.class, "err")
                .check(MAIN);
    }
}
