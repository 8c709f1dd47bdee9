package dev.distill.spark;

import static dev.distill.spark.SparkTestSupport.assertSameSet;
import static dev.distill.spark.SparkTestSupport.committed;
import static dev.distill.spark.SparkTestSupport.recipe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistillException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * distill-spark writing to a Hadoop {@code FileSystem} URI: {@code distilltest:///...}, served by
 * {@link RootedLocalFileSystem} from a temporary folder no path of the recipe names, in Spark local
 * mode with retries ({@code local[2,2]}).
 */
class SparkDistillHadoopTest {
  @TempDir static Path tmp;
  static Path root;
  static Path reference;
  static JavaSparkContext sc;

  @BeforeAll
  static void start() throws Exception {
    root = Files.createDirectories(tmp.resolve("fs"));
    SparkConf conf = SparkTestSupport.conf("local[2,2]");
    for (String[] kv : RootedLocalFileSystem.settings(root, "spark.hadoop.")) {
      conf.set(kv[0], kv[1]);
    }
    sc = new JavaSparkContext(conf);
    // the reference: the same recipe, written to a plain path
    reference = tmp.resolve("plain");
    assertThat(SparkDistill.of(sc).run(recipe(reference).build()).complete()).isTrue();
  }

  @AfterAll
  static void stop() {
    if (sc != null) {
      sc.stop();
    }
  }

  @BeforeEach
  void clearOperations() {
    RootedLocalFileSystem.OPERATIONS.clear();
  }

  @Test
  void uriRunEqualsPlainPathRunImageForImageThroughHadoopFileSystemAndRerunSkips()
      throws Exception {
    String uri = "distilltest:///out/d4m";

    SparkDistillResult r = SparkDistill.of(sc).run(recipe(uri).build());

    assertThat(r.output()).isEqualTo(uri);
    assertThat(r.complete()).isTrue();
    assertThat(r.generated()).containsExactly(0, 1, 2, 3);
    assertSameSet(root.resolve("out/d4m"), reference);
    // each part was renamed into place through Hadoop, then the ImageFolder, manifest last
    assertThat(RootedLocalFileSystem.operations("rename"))
        .containsExactlyInAnyOrder(
            "rename /out/.d4m.parts/class-0000.safetensors",
            "rename /out/.d4m.parts/class-0001.safetensors",
            "rename /out/.d4m.parts/class-0002.safetensors",
            "rename /out/.d4m.parts/class-0003.safetensors",
            "rename /out/d4m/manifest.json");
    assertThat(RootedLocalFileSystem.OPERATIONS.get(RootedLocalFileSystem.OPERATIONS.size() - 1))
        .isEqualTo("rename /out/d4m/manifest.json");
    assertThat(RootedLocalFileSystem.operations("create"))
        .filteredOn(s -> s.endsWith(".png"))
        .hasSize(8);
    assertThat(temporaryFiles()).isEmpty();
    assertThat(Files.exists(Path.of("/out/d4m"))).isFalse();

    RootedLocalFileSystem.OPERATIONS.clear();
    SparkDistillResult again = SparkDistill.of(sc).run(recipe(uri).build());

    assertThat(again.complete()).isTrue();
    assertThat(again.generated()).isEmpty();
    assertThat(again.skipped()).containsExactly(0, 1, 2, 3);
    assertThat(RootedLocalFileSystem.operations("create")).isEmpty(); // only read and checked
    assertThat(RootedLocalFileSystem.operations("open")).contains("open /out/d4m/manifest.json");
    assertSameSet(root.resolve("out/d4m"), reference);
  }

  @Test
  void rerunAfterFailedJobOnUriRedoesOnlyUnfinishedClasses() throws Exception {
    String uri = "distilltest:///out/interrupted";
    Path stored = root.resolve("out/interrupted");
    SparkRecipe broken = recipe(uri).faults(new FaultInjection(Set.of(), Set.of(3))).build();

    assertThatThrownBy(() -> SparkDistill.of(sc).run(broken))
        .isInstanceOf(DistillException.class)
        .hasMessageContaining("rerun the same recipe to resume")
        .hasMessageContaining(uri);
    awaitIdleExecutors();
    List<Integer> before = committed(stored);
    assertThat(before).doesNotContain(3);
    assertThat(Files.exists(stored.resolve("manifest.json"))).isFalse();

    SparkDistillResult r = SparkDistill.of(sc).run(broken.withFaults(FaultInjection.none()));

    List<Integer> expected = new ArrayList<>(List.of(0, 1, 2, 3));
    expected.removeAll(before);
    assertThat(r.generated()).isEqualTo(expected);
    assertThat(r.skipped()).isEqualTo(before);
    assertThat(r.complete()).isTrue();
    assertSameSet(stored, reference);
    assertThat(temporaryFiles()).isEmpty();
  }

  @Test
  void taskRetriedBySparkOnUriGivesIdenticalOutputAndKeepsWhatItsFirstAttemptCommitted()
      throws Exception {
    String uri = "distilltest:///out/retried";

    // tasks {0, 1} and {2, 3}; the first attempt of {2, 3} commits class 2, then fails on 3
    SparkDistillResult r =
        SparkDistill.of(sc)
            .run(
                recipe(uri)
                    .classesPerTask(2)
                    .faults(new FaultInjection(Set.of(3), Set.of()))
                    .build());

    assertThat(r.complete()).isTrue();
    assertThat(r.retried()).containsExactly(2, 3);
    assertThat(r.failedAttempts()).isEqualTo(1);
    assertThat(r.generated()).containsExactly(0, 1, 3); // 2: copied back, checked and kept
    assertThat(RootedLocalFileSystem.operations("rename"))
        .filteredOn(s -> s.contains("class-0002"))
        .containsExactly("rename /out/.retried.parts/class-0002.safetensors");
    assertSameSet(root.resolve("out/retried"), reference);
  }

  @Test
  void changedRecipeOnUriIsRefusedNamingTheDifference() throws Exception {
    String partial = "distilltest:///out/partial";
    SparkDistillResult first = SparkDistill.of(sc).run(recipe(partial).classes(0).build());
    assertThat(first.complete()).isFalse();
    assertThat(committed(root.resolve("out/partial"))).containsExactly(0);

    RootedLocalFileSystem.OPERATIONS.clear();
    assertThatThrownBy(() -> SparkDistill.of(sc).run(recipe(partial).numSteps(5).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("numSteps=4")
        .hasMessageContaining("this run has 5")
        .hasMessageContaining("distilltest:///out/.partial.parts/class-0000.safetensors")
        .hasMessageNotContaining("distill-driver-"); // the URI's file, not the staging copy's
    assertThat(committed(root.resolve("out/partial"))).containsExactly(0);
    assertThat(RootedLocalFileSystem.operations("create")).isEmpty(); // refused before any task

    String finished = "distilltest:///out/finished";
    SparkDistill.of(sc).run(recipe(finished).build());
    assertThatThrownBy(() -> SparkDistill.of(sc).run(recipe(finished).seed(8).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("seed=7")
        .hasMessageContaining("distilltest:///out/finished")
        .hasMessageNotContaining("distill-driver-");
  }

  @Test
  void uriOfUnknownSchemeIsIllegalArgumentNamingIt() {
    SparkRecipe r = recipe("nosuchfs://host/out/d4m").build();

    assertThatThrownBy(() -> SparkDistill.of(sc).run(r))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nosuchfs://host/out/d4m")
        .hasMessageContaining("fs.nosuchfs.impl");
  }

  /** Temporary files left anywhere under the test file system's root. */
  private static List<Path> temporaryFiles() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  /** Tasks of an aborted stage may still be finishing (local mode does not interrupt them). */
  private static void awaitIdleExecutors() throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      boolean busy = false;
      for (var e : sc.sc().statusTracker().getExecutorInfos()) {
        busy |= e.numRunningTasks() > 0;
      }
      if (!busy) {
        return;
      }
      Thread.sleep(100);
    }
  }
}
