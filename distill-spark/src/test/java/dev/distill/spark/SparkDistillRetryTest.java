package dev.distill.spark;

import static dev.distill.spark.SparkTestSupport.assertSameSet;
import static dev.distill.spark.SparkTestSupport.recipe;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** distill-spark with Spark retries: {@code local[2,2]} (each task may fail once). */
class SparkDistillRetryTest {
  @TempDir static Path tmp;
  static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = SparkTestSupport.context("local[2,2]");
  }

  @AfterAll
  static void stop() {
    if (sc != null) {
      sc.stop();
    }
  }

  @Test
  void taskFailingOnItsFirstAttemptIsRetriedAndResultIsUnchanged() throws Exception {
    Path reference = SparkTestSupport.singleProcess(tmp.resolve("reference"));
    Path out = tmp.resolve("retried");

    SparkDistillResult r =
        SparkDistill.of(sc)
            .run(
                recipe(out)
                    .classesPerTask(2)
                    .faults(new FaultInjection(Set.of(2), Set.of()))
                    .build());

    assertThat(r.complete()).isTrue();
    assertThat(r.retried()).containsExactly(2, 3); // the group {2, 3} was retried as a whole
    assertThat(r.failedAttempts()).isEqualTo(1);
    assertThat(r.generated()).containsExactly(0, 1, 2, 3);
    assertSameSet(out, reference);
  }
}
