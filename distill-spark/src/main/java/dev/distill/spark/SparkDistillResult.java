package dev.distill.spark;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link SparkDistill} run did.
 *
 * <p>The distilled set itself is in {@link #output()} when {@link #complete()}: on a path, load it
 * with {@link dev.distill.core.io.DistilledSetIO#load(Path)} from {@link #outputDir()}; on a Hadoop
 * {@code FileSystem} URI, copy the folder to a local one first ({@code hdfs dfs -get}), or read its
 * PNGs and {@code manifest.json} with any Hadoop-aware tool.
 *
 * @param output the output folder as in the recipe ({@link SparkRecipe#output()}): an absolute path
 *     or a Hadoop {@code FileSystem} URI
 * @param complete whether every class of the dataset is committed and the ImageFolder + manifest
 *     were written (false when the recipe lists only some classes and others are missing)
 * @param outcomes one per class this run's job handled, by class (empty when nothing was left)
 * @param skipped classes found committed before the job started (validated, not rerun)
 * @param failedAttempts task attempts that failed and were retried by Spark
 * @param elapsed the whole run's wall time (validation, job, assembly)
 * @since 0.1.0
 */
public record SparkDistillResult(
    String output,
    boolean complete,
    List<ClassOutcome> outcomes,
    List<Integer> skipped,
    int failedAttempts,
    Duration elapsed) {
  /** Validates and copies. */
  public SparkDistillResult {
    checkNotNull(output, "output");
    outcomes = List.copyOf(checkNotNull(outcomes, "outcomes"));
    skipped = List.copyOf(checkNotNull(skipped, "skipped"));
    checkNotNull(elapsed, "elapsed");
  }

  /**
   * The output folder, when it is a path.
   *
   * @return the absolute path
   * @throws IllegalStateException if the output is a Hadoop {@code FileSystem} URI
   */
  public Path outputDir() {
    checkState(
        !SparkRecipe.isUri(output),
        "output must be a path for outputDir() but was the Hadoop FileSystem URI %s",
        output);
    return Path.of(output);
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
