package dev.distill.examples.cli;

import dev.distill.core.augment.DsaConfig;
import dev.distill.examples.TrainTeacher;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill train-teacher}: trains the Fashion-MNIST reference classifier that gives the soft
 * labels and judges the built-in model ({@link TrainTeacher}).
 *
 * @since 0.1.0
 */
@Command(
    name = "train-teacher",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    sortOptions = false,
    header = "Train the Fashion-MNIST reference classifier (the soft-label teacher).",
    description = {
      "Trains the Fashion-MNIST reference classifier (ConvNet-3, Adam, cosine decay) on the"
          + " 60,000 training images and writes DIR/fashion-mnist-convnet.safetensors and a JSON"
          + " record with its test accuracy. The defaults reproduce the shipped teacher.",
      ""
    })
public final class TrainTeacherCommand extends JobCommand<TrainTeacher.Options> {
  static final String[] FILES = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"
  };

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "/usr/share/datasets/fashion-mnist",
      description = "folder with the IDX files (default: ${DEFAULT-VALUE})")
  Path data;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "distill-core/src/main/resources/dev/distill/core/eval",
      description = "where the weights and record are written (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(
      names = "--width",
      paramLabel = "N",
      defaultValue = "64",
      description = "ConvNet-3 width (default: ${DEFAULT-VALUE})")
  int width;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      defaultValue = "6",
      description = "epochs (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "256",
      description = "batch size (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--lr",
      paramLabel = "X",
      defaultValue = "0.002",
      description = "Adam's peak learning rate (default: ${DEFAULT-VALUE})")
  double lr;

  @Option(
      names = "--augment",
      paramLabel = "STRATEGY",
      defaultValue = "flip",
      description =
          "a DSA strategy applied in full, e.g. flip or color_crop_cutout_flip_scale_rotate;"
              + " none for none (default: ${DEFAULT-VALUE})")
  String augment;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "use only the first N training and N/6 test images, for a smoke run; 0 uses"
              + " all (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(
      names = "--threads",
      paramLabel = "T",
      description = "LibTorch intra-op threads; 1 is fastest on a shared CPU (default: LibTorch's)")
  Integer threads;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description = "seed (default: ${DEFAULT-VALUE})")
  long seed;

  /** The real training. */
  public TrainTeacherCommand() {
    this(Job.of(TrainTeacher::run));
  }

  /**
   * A teacher command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public TrainTeacherCommand(Job<TrainTeacher.Options> job) {
    super(job);
  }

  @Override
  protected TrainTeacher.Options options() {
    readableFolder("--data", data, FILES);
    writableFolder("--out", out);
    inRange("--width", width, 1, 4096);
    inRange("--epochs", epochs, 1, Integer.MAX_VALUE);
    inRange("--batch", batch, 1, 60_000);
    positive("--lr", lr);
    inRange("--limit", limit, 0, Integer.MAX_VALUE);
    if (threads != null) {
      inRange("--threads", threads, 1, 1024);
    }
    try {
      DsaConfig.parseStrategy(augment);
    } catch (IllegalArgumentException e) {
      throw invalid(
          "--augment",
          augment,
          "be none or DSA words joined by _ (color, crop, cutout, flip, scale, rotate)");
    }
    return new TrainTeacher.Options(
        data, out, width, epochs, batch, lr, augment, limit, threads != null ? threads : 0, seed);
  }
}
