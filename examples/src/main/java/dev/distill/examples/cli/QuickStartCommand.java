package dev.distill.examples.cli;

import dev.distill.core.method.ModeGuided;
import dev.distill.examples.QuickStart;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill quickstart}: distils Fashion-MNIST with random-real, D4M, Mode-Guided and UniDD on
 * the built-in model and evaluates each set ({@link QuickStart}).
 *
 * @since 0.1.0
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    sortOptions = false,
    header = "Distil Fashion-MNIST with four methods on the built-in model and print the table.",
    description = {
      "Distils Fashion-MNIST with random-real, D4M, Mode-Guided and UniDD on the built-in model,"
          + " trains ConvNet-3 students on each set (hard and teacher soft labels) and prints"
          + " the table.",
      "Writes into DIR an ImageFolder with manifest.json per method, a grid PNG per method, an"
          + " eval.json report per set and label kind, and results.md. A rerun resumes: finished"
          + " classes, sets and evaluations are reused.",
      ""
    })
public final class QuickStartCommand extends JobCommand<QuickStart.Options> {
  /** The largest IPC: images per class in the shipped training slice. */
  static final int MAX_IPC = 1000;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "distill-out/quickstart",
      description = "output folder; a rerun resumes in it (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(
      names = {"--ipc", "--ipcs"},
      paramLabel = "N",
      split = ",",
      description =
          "images per class, one value or a list such as 1,10,50, each in 1..1000"
              + " (default: 10; 1,10,50 with --full)")
  List<Integer> ipcs;

  @Option(
      names = "--full",
      description =
          "IPC 1/10/50 over 3 seeds with the pinned protocol, plus the"
              + " whole-train-slice reference row")
  boolean full;

  @Option(
      names = "--protocol",
      paramLabel = "NAME",
      description =
          "student protocol: pinned (ConvNet-3 width 128, 1000 epochs) or quick"
              + " (width 32, 150 epochs) (default: quick; pinned with --full)")
  QuickStart.Protocol protocol;

  @Option(
      names = "--seeds",
      paramLabel = "S",
      description =
          "student seeds 0..S-1 (default: the protocol's one seed; 3 with --full or a scene --task)")
  Integer seeds;

  @Option(
      names = "--epochs",
      paramLabel = "E",
      description = "student epochs (default: the protocol's: 150 quick, 1000 pinned)")
  Integer epochs;

  @Option(
      names = "--upper-epochs",
      paramLabel = "E",
      description =
          "epochs of the whole-train-slice reference row, 0 skips it (default: 0; "
              + QuickStart.DEFAULT_UPPER_EPOCHS
              + " with --full)")
  Integer upperEpochs;

  @Option(
      names = "--methods",
      paramLabel = "M",
      split = ",",
      description =
          "methods to run, from random-real, d4m, mode-guided, unidd; none runs only"
              + " the reference row (default: all four)")
  List<String> methods = List.of();

  @Option(
      names = "--steps",
      paramLabel = "K",
      defaultValue = "25",
      description = "sampling steps, 1..1000 (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--cfg",
      paramLabel = "G",
      description =
          "classifier-free guidance scale, >= 0, of every generative method (default: "
              + QuickStart.DEFAULT_CFG
              + " for UniDD and the scene tasks, "
              + QuickStart.DEFAULT_PROTOTYPE_CFG
              + " for D4M and Mode-Guided)")
  Double cfg;

  @Option(
      names = "--d4m-cfg",
      paramLabel = "G",
      description =
          "classifier-free guidance scale of D4M alone, >= 0 (default: --cfg if given, else "
              + QuickStart.DEFAULT_PROTOTYPE_CFG
              + ")")
  Double d4mCfg;

  @Option(
      names = "--mgd-cfg",
      paramLabel = "G",
      description =
          "classifier-free guidance scale of Mode-Guided alone, >= 0 (default: --cfg if given,"
              + " else "
              + QuickStart.DEFAULT_PROTOTYPE_CFG
              + ")")
  Double mgdCfg;

  @Option(
      names = "--d4m-strength",
      paramLabel = "S",
      defaultValue = "0.7",
      description = "D4M's img2img strength, in (0, 1] (default: ${DEFAULT-VALUE})")
  double d4mStrength;

  @Option(
      names = "--threads",
      paramLabel = "T",
      defaultValue = "1",
      description =
          "LibTorch intra-op threads (default: ${DEFAULT-VALUE}; one is fastest on"
              + " shared cores)")
  int threads;

  @Option(
      names = "--unidd-step",
      paramLabel = "S",
      defaultValue = "3.0",
      description = "UniDD's x0-step size, >= 0 (default: ${DEFAULT-VALUE})")
  double uniddStep;

  @Option(
      names = "--unidd-stop",
      paramLabel = "F",
      defaultValue = "1.0",
      description =
          "fraction of the steps UniDD guides for, 0..1 (default: ${DEFAULT-VALUE}: every step)")
  double uniddStop;

  @Option(
      names = "--mgd-gamma",
      paramLabel = "G",
      defaultValue = "1.0",
      description =
          "Mode-Guided pull per step, 0..1 (default: ${DEFAULT-VALUE}: x0 is moved all the way"
              + " to its mode while guided)")
  double mgdGamma;

  @Option(
      names = "--mgd-stop",
      paramLabel = "F",
      defaultValue = "0.5",
      description = "fraction of the steps Mode-Guided pulls for, 0..1 (default: ${DEFAULT-VALUE})")
  double mgdStop;

  @Option(
      names = "--mgd-modes",
      paramLabel = "F",
      defaultValue = "1.0",
      description =
          "Mode-Guided's modes per class as a fraction of the IPC, (0, 1]; images share modes in"
              + " turn (default: ${DEFAULT-VALUE}: one mode per image, as in MGD3)")
  double mgdModes;

  @Option(
      names = "--mgd-target",
      paramLabel = "T",
      defaultValue = "CENTROID",
      description = "Mode-Guided's mode: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  ModeGuided.Target mgdTarget;

  @Option(
      names = "--confidence",
      paramLabel = "P",
      defaultValue = "0",
      description =
          "ALIA-style filter for the generative methods: drop (and regenerate) an image whose"
              + " teacher probability of its own class is below P; 0 = off (default:"
              + " ${DEFAULT-VALUE})")
  double confidence;

  @Option(
      names = "--backbone",
      paramLabel = "KIND",
      defaultValue = "PIXEL",
      description = "the built-in generator: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  QuickStart.Backbone backbone;

  @Option(
      names = "--task",
      paramLabel = "TASK",
      defaultValue = "CLASSIFICATION",
      description =
          "what the sets are for: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); detection"
              + " and segmentation compare random-real, unguided and UniDD-guided scenes at two"
              + " budgets (--ipcs, default 5,10 images per class)")
  QuickStart.Task task;

  @Option(
      names = "--task-guidance",
      paramLabel = "W",
      description =
          "UniDD strength w of s(t) = w*sqrt(1-alphabar) for --task detection|segmentation"
              + " (default: the task's: 0.3 for detection, 3 for segmentation)")
  Double taskGuidance;

  /** The real quick start. */
  public QuickStartCommand() {
    this(Job.of(QuickStart::run));
  }

  /**
   * A quick start that hands its options to {@code job}.
   *
   * @param job the work
   */
  public QuickStartCommand(Job<QuickStart.Options> job) {
    super(job);
  }

  @Override
  protected QuickStart.Options options() {
    boolean scenes = task != QuickStart.Task.CLASSIFICATION;
    List<Integer> ipcList =
        ipcs != null ? ipcs : scenes ? List.of(5, 10) : full ? List.of(1, 10, 50) : List.of(10);
    for (int ipc : ipcList) {
      inRange("--ipc", ipc, 1, MAX_IPC);
    }
    for (String m : methods) {
      if (!QuickStart.METHODS.contains(m) && !m.equals("none")) {
        throw invalid(
            "--methods",
            m,
            "list names from " + String.join(", ", QuickStart.METHODS) + " (or be none)");
      }
    }
    if (methods.contains("none") && methods.size() > 1) {
      throw invalid("--methods", String.join(",", methods), "be none alone");
    }
    if (seeds != null) {
      inRange("--seeds", seeds, 1, 100);
    }
    if (epochs != null) {
      inRange("--epochs", epochs, 1, Integer.MAX_VALUE);
    }
    if (upperEpochs != null) {
      inRange("--upper-epochs", upperEpochs, 0, Integer.MAX_VALUE);
    }
    inRange("--steps", steps, 1, 1000);
    double g = cfg != null ? inRange("--cfg", cfg, 0.0, Double.MAX_VALUE) : QuickStart.DEFAULT_CFG;
    double d4mG =
        d4mCfg != null
            ? inRange("--d4m-cfg", d4mCfg, 0.0, Double.MAX_VALUE)
            : cfg != null ? g : QuickStart.DEFAULT_PROTOTYPE_CFG;
    double mgdG =
        mgdCfg != null
            ? inRange("--mgd-cfg", mgdCfg, 0.0, Double.MAX_VALUE)
            : cfg != null ? g : QuickStart.DEFAULT_PROTOTYPE_CFG;
    if (!(mgdModes > 0 && mgdModes <= 1)) {
      throw invalid("--mgd-modes", Double.toString(mgdModes), "be in (0, 1]");
    }
    if (!(d4mStrength > 0 && d4mStrength <= 1)) {
      throw invalid("--d4m-strength", Double.toString(d4mStrength), "be in (0, 1]");
    }
    inRange("--threads", threads, 1, 1024);
    inRange("--unidd-step", uniddStep, 0.0, Double.MAX_VALUE);
    inRange("--mgd-gamma", mgdGamma, 0.0, 1.0);
    inRange("--mgd-stop", mgdStop, 0.0, 1.0);
    writableFolder("--out", out);
    return new QuickStart.Options(
        out,
        ipcList,
        protocol != null ? protocol : full ? QuickStart.Protocol.PINNED : QuickStart.Protocol.QUICK,
        seeds != null ? seeds : full || scenes ? 3 : 0,
        epochs != null ? epochs : 0,
        upperEpochs != null ? upperEpochs : full ? QuickStart.DEFAULT_UPPER_EPOCHS : 0,
        steps,
        g,
        d4mG,
        d4mStrength,
        mgdG,
        threads,
        uniddStep,
        inRange("--unidd-stop", uniddStop, 0.0, 1.0),
        mgdGamma,
        mgdStop,
        mgdTarget,
        mgdModes,
        methods,
        inRange("--confidence", confidence, 0.0, 1.0),
        backbone,
        task,
        taskGuidance == null ? 0.0 : inRange("--task-guidance", taskGuidance, 0.0, 1e6));
  }

  @Override
  protected Optional<String> interruptHint(QuickStart.Options options) {
    return Optional.of("finished classes, sets and evaluations in " + options.out() + " are kept");
  }
}
