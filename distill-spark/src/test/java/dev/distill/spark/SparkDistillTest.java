package dev.distill.spark;

import static dev.distill.spark.SparkTestSupport.assertSameSet;
import static dev.distill.spark.SparkTestSupport.committed;
import static dev.distill.spark.SparkTestSupport.recipe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistillException;
import dev.distill.spark.internal.ExecutorCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** distill-spark in Spark local mode with two task slots ({@code local[2]}, no retries). */
class SparkDistillTest {
  @TempDir static Path tmp;
  static JavaSparkContext sc;
  static Path reference;

  @BeforeAll
  static void start() throws Exception {
    reference = SparkTestSupport.singleProcess(tmp.resolve("reference"));
    sc = SparkTestSupport.context("local[2]");
  }

  @AfterAll
  static void stop() {
    if (sc != null) {
      sc.stop();
    }
  }

  @Test
  void sparkRunEqualsSingleProcessRunImageForImageAndReusesSamplers() throws Exception {
    Path out = tmp.resolve("spark");
    int loadsBefore = ExecutorCache.samplerLoads();

    SparkDistillResult r = SparkDistill.of(sc).run(recipe(out).build());

    assertThat(r.complete()).isTrue();
    assertThat(r.generated()).containsExactly(0, 1, 2, 3);
    assertThat(r.skipped()).isEmpty();
    assertThat(r.retried()).isEmpty();
    // 4 tasks, 2 slots (driver and executors share this JVM in local mode): at most one load per
    // slot
    assertThat(ExecutorCache.samplerLoads() - loadsBefore).isBetween(0, 2);
    assertSameSet(out, reference);

    SparkDistillResult again = SparkDistill.of(sc).run(recipe(out).build());
    assertThat(again.generated()).isEmpty();
    assertThat(again.skipped()).containsExactly(0, 1, 2, 3);
    assertSameSet(out, reference);
  }

  @Test
  void rerunAfterFailedJobRedoesOnlyUnfinishedClasses() throws Exception {
    Path out = tmp.resolve("interrupted");
    SparkRecipe broken = recipe(out).faults(new FaultInjection(Set.of(), Set.of(3))).build();

    assertThatThrownBy(() -> SparkDistill.of(sc).run(broken))
        .isInstanceOf(DistillException.class)
        .hasMessageContaining("rerun the same recipe to resume");
    awaitIdleExecutors();
    List<Integer> before = committed(out);
    assertThat(before).contains(0, 1).doesNotContain(3);

    SparkDistillResult r = SparkDistill.of(sc).run(broken.withFaults(FaultInjection.none()));

    List<Integer> expected = new ArrayList<>(List.of(0, 1, 2, 3));
    expected.removeAll(before);
    assertThat(r.generated()).isEqualTo(expected);
    assertThat(r.skipped()).isEqualTo(before);
    assertThat(r.complete()).isTrue();
    assertSameSet(out, reference);
  }

  @Test
  void changedRecipeIsRefusedNamingTheDifference() throws Exception {
    Path partial = tmp.resolve("partial");
    SparkDistillResult first = SparkDistill.of(sc).run(recipe(partial).classes(0).build());
    assertThat(first.complete()).isFalse();
    assertThat(committed(partial)).containsExactly(0);

    assertThatThrownBy(() -> SparkDistill.of(sc).run(recipe(partial).numSteps(5).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("numSteps=4")
        .hasMessageContaining("this run has 5");
    assertThat(committed(partial)).containsExactly(0);

    Path finished = tmp.resolve("finished");
    SparkDistill.of(sc).run(recipe(finished).build());
    assertThatThrownBy(() -> SparkDistill.of(sc).run(recipe(finished).seed(8).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("seed=7");
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
