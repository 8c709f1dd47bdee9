package dev.distill.examples.cli;

import dev.distill.core.match.GradientStatistic;
import dev.distill.examples.RecipeA;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill recipe-a}: the recipe-A comparison of {@code docs/recipe-a.md} ({@link RecipeA}):
 * hard vs soft labels vs the gradient-statistics matcher, one proxy vs an ensemble, and real-data
 * mixing, on Fashion-MNIST with the built-in model.
 *
 * @since 0.1.0
 */
@Command(
    name = "recipe-a",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    sortOptions = false,
    header = "Compare matchers, proxy ensembles and real-data mixing (docs/recipe-a.md).",
    description = {
      "Distils Fashion-MNIST with D4M on the built-in model at each IPC and trains students with"
          + " hard labels, teacher soft labels and the gradient-statistics matcher; at IPC 10"
          + " also UniDD with one proxy and with an ensemble of three, and D4M with real images"
          + " mixed in. Writes sets, eval.json reports and results.md into DIR; a rerun resumes.",
      ""
    })
public final class RecipeACommand extends JobCommand<RecipeA.Options> {
  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "distill-out/recipe-a",
      description = "output folder; a rerun resumes in it (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(
      names = "--ipcs",
      paramLabel = "N",
      split = ",",
      defaultValue = "1,10,50",
      description =
          "IPC values of the matcher comparison, each in 1..1000 (default:" + " ${DEFAULT-VALUE})")
  List<Integer> ipcs;

  @Option(
      names = "--epochs",
      paramLabel = "E",
      defaultValue = "0",
      description = "student epochs; 0 keeps the quick profile's 150 (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(
      names = "--grad-weight",
      paramLabel = "W",
      defaultValue = "1.0",
      description = "weight of the gradient-statistics term, >= 0 (default: ${DEFAULT-VALUE})")
  double gradWeight;

  @Option(
      names = "--real-per-class",
      paramLabel = "R",
      defaultValue = "10",
      description =
          "real reference images per class of the matcher, 1..1000 (default:"
              + " ${DEFAULT-VALUE})")
  int realPerClass;

  @Option(
      names = "--statistics",
      paramLabel = "S",
      split = ",",
      defaultValue = "MEAN,VARIANCE",
      description =
          "gradient statistics, from ${COMPLETION-CANDIDATES} (default:" + " ${DEFAULT-VALUE})")
  List<GradientStatistic> statistics;

  @Option(
      names = "--mix-fraction",
      paramLabel = "F",
      defaultValue = "0.2",
      description = "share of real images in the mixed set, in [0, 1) (default: ${DEFAULT-VALUE})")
  double mixFraction;

  @Option(
      names = "--steps",
      paramLabel = "K",
      defaultValue = "25",
      description = "sampling steps, 1..1000 (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--threads",
      paramLabel = "T",
      defaultValue = "1",
      description = "LibTorch intra-op threads (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--parts",
      paramLabel = "P",
      split = ",",
      defaultValue = "MATCHERS,MIXING,PROXIES",
      description = "rows to run, from ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  List<RecipeA.Part> parts;

  /** The real command. */
  public RecipeACommand() {
    this(Job.of(RecipeA::run));
  }

  /**
   * A command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public RecipeACommand(Job<RecipeA.Options> job) {
    super(job);
  }

  @Override
  protected RecipeA.Options options() {
    for (int ipc : ipcs) {
      inRange("--ipcs", ipc, 1, QuickStartCommand.MAX_IPC);
    }
    inRange("--epochs", epochs, 0, Integer.MAX_VALUE);
    inRange("--grad-weight", gradWeight, 0.0, Double.MAX_VALUE);
    inRange("--real-per-class", realPerClass, 1, 1000);
    if (statistics.isEmpty()) {
      throw invalid("--statistics", statistics, "name at least one statistic");
    }
    if (!(mixFraction >= 0 && mixFraction < 1)) {
      throw invalid("--mix-fraction", mixFraction, "be a number in [0, 1)");
    }
    if (parts.isEmpty()) {
      throw invalid("--parts", parts, "name at least one part");
    }
    inRange("--steps", steps, 1, 1000);
    inRange("--threads", threads, 1, 1024);
    writableFolder("--out", out);
    return new RecipeA.Options(
        out,
        ipcs,
        epochs,
        gradWeight,
        realPerClass,
        EnumSet.copyOf(statistics),
        mixFraction,
        steps,
        threads,
        EnumSet.copyOf(parts));
  }

  @Override
  protected Optional<String> interruptHint(RecipeA.Options options) {
    return Optional.of("finished sets, proxies and evaluations in " + options.out() + " are kept");
  }
}
