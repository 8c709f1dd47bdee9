package dev.distill.spark;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link SparkDistill} run did.
 *
 * <p>The distilled set itself is on disk: load it with {@link
 * dev.distill.core.io.DistilledSetIO#load(Path)} from {@link #outputDir()} when {@link
 * #complete()}.
 *
 * @param outputDir the output folder
 * @param complete whether every class of the dataset is committed and the ImageFolder + manifest
 *     were written (false when the recipe lists only some classes and others are missing)
 * @param outcomes one per class this run's job handled, by class (empty when nothing was left)
 * @param skipped classes found committed before the job started (validated, not rerun)
 * @param failedAttempts task attempts that failed and were retried by Spark
 * @param elapsed the whole run's wall time (validation, job, assembly)
 * @since 0.1.0
 */
public record SparkDistillResult(
    Path outputDir,
    boolean complete,
    List<ClassOutcome> outcomes,
    List<Integer> skipped,
    int failedAttempts,
    Duration elapsed) {
  /** Validates and copies. */
  public SparkDistillResult {
    checkNotNull(outputDir, "outputDir");
    outcomes = List.copyOf(checkNotNull(outcomes, "outcomes"));
    skipped = List.copyOf(checkNotNull(skipped, "skipped"));
    checkNotNull(elapsed, "elapsed");
  }

  /**
   * The classes this run generated.
   *
   * @return class ids, ascending
   */
  public List<Integer> generated() {
    return outcomes.stream()
        .filter(ClassOutcome::generated)
        .map(ClassOutcome::classId)
        .sorted()
        .toList();
  }

  /**
   * The classes whose successful task was a Spark retry.
   *
   * @return class ids, ascending
   */
  public List<Integer> retried() {
    return outcomes.stream()
        .filter(o -> o.attempt() > 0)
        .map(ClassOutcome::classId)
        .sorted()
        .toList();
  }
}
