package dev.distill.examples.cli;

import dev.distill.examples.SparkQuickStart;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill spark-quickstart}: the Fashion-MNIST distillation as a Spark job (distill-spark),
 * in Spark local mode by default.
 *
 * @since 0.1.0
 */
@Command(
    name = "spark-quickstart",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    header = "Distil Fashion-MNIST with the built-in model as an Apache Spark job.",
    description = {
      "One Spark task per class (--classes-per-task groups them); each executor loads the model"
          + " once, commits each class atomically into --out, and the driver writes the"
          + " ImageFolder + manifest.json. A rerun skips committed classes.",
      ""
    })
public final class SparkQuickStartCommand extends JobCommand<SparkQuickStart.Options> {
  private static final Set<String> METHODS = Set.of("d4m", "mode-guided", "random-real");

  @Option(
      names = "--out",
      paramLabel = "DIR|URI",
      required = true,
      description =
          "the output folder: a path every executor sees, or a Hadoop FileSystem URI"
              + " (hdfs://namenode/out/set, s3a://bucket/out/set; the file system's jars and"
              + " settings must be on the class path)")
  String out;

  @Option(
      names = "--master",
      paramLabel = "URL",
      defaultValue = "local[2]",
      description = "the Spark master (default: ${DEFAULT-VALUE}; spark.master wins if set)")
  String master;

  @Option(
      names = "--method",
      paramLabel = "NAME",
      defaultValue = "d4m",
      description = "d4m, mode-guided or random-real (default: ${DEFAULT-VALUE})")
  String method;

  @Option(
      names = "--ipc",
      paramLabel = "N",
      defaultValue = "10",
      description = "images per class, 1..1000 (default: ${DEFAULT-VALUE})")
  int ipc;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "25",
      description = "sampler steps, 1..1000 (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "0",
      description = "the run seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--classes-per-task",
      paramLabel = "N",
      defaultValue = "1",
      description = "classes per Spark task, 1..10 (default: ${DEFAULT-VALUE})")
  int classesPerTask;

  /** The real job. */
  public SparkQuickStartCommand() {
    this(Job.of(o -> SparkQuickStart.run(o)));
  }

  /**
   * A command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public SparkQuickStartCommand(Job<SparkQuickStart.Options> job) {
    super(job);
  }

  @Override
  protected SparkQuickStart.Options options() {
    if (!METHODS.contains(method)) {
      throw invalid("--method", method, "be one of d4m, mode-guided, random-real");
    }
    if (master.isBlank()) {
      throw invalid(
          "--master", master, "be a Spark master URL such as local[2] or spark://host:7077");
    }
    if (!out.contains("://")) { // a path (a URI's file system is checked when the job starts)
      writableFolder("--out", Path.of(out));
    }
    return new SparkQuickStart.Options(
        out,
        master,
        method,
        inRange("--ipc", ipc, 1, 1000),
        inRange("--steps", steps, 1, 1000),
        seed,
        inRange("--classes-per-task", classesPerTask, 1, 10));
  }

  @Override
  protected Optional<String> interruptHint(SparkQuickStart.Options o) {
    return Optional.of("classes committed in " + o.out() + " are kept");
  }
}
