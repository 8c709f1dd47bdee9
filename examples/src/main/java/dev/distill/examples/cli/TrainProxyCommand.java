package dev.distill.examples.cli;

import dev.distill.examples.TrainProxy;
import dev.distill.task.proxy.BuiltinProxies;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill train-proxy}: trains the detection and segmentation proxies of UniDD guidance on
 * real Fashion-MNIST scenes ({@link TrainProxy}).
 *
 * @since 0.1.0
 */
@Command(
    name = "train-proxy",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    sortOptions = false,
    header = "Train the scene detection and segmentation proxies (UniDD guidance).",
    description = {
      "Trains a CenterNet detector and/or an LR-ASPP segmenter on real Fashion-MNIST training"
          + " scenes (64x64, 1-4 garments), scores them and an untrained one on real test scenes"
          + " (mAP@0.5, mAP@[.5:.95]; mIoU, pixel accuracy) and writes"
          + " DIR/fashion-mnist-scenes-detector.safetensors (-segmenter) with a JSON record."
          + " The defaults reproduce the shipped proxies.",
      ""
    })
public final class TrainProxyCommand extends JobCommand<TrainProxy.Options> {
  /** The most training scenes: those of the scene configuration. */
  static final int MAX_SCENES = BuiltinProxies.sceneConfig().size();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "where the weights and records are written")
  Path out;

  @Option(
      names = "--task",
      paramLabel = "TASK",
      defaultValue = "both",
      description = "detection, segmentation or both (default: ${DEFAULT-VALUE})")
  TrainProxy.Task task;

  @Option(
      names = "--scenes",
      paramLabel = "N",
      defaultValue = "10000",
      description =
          "training scenes, the first N of the training split (default: ${DEFAULT-VALUE})")
  int scenes;

  @Option(
      names = "--test-scenes",
      paramLabel = "N",
      defaultValue = "500",
      description = "test scenes scored (default: ${DEFAULT-VALUE})")
  int testScenes;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description =
          "training steps per proxy (default: "
              + TrainProxy.DETECTOR_STEPS
              + " detector, "
              + TrainProxy.SEGMENTER_STEPS
              + " segmenter)")
  Integer steps;

  @Option(
      names = "--batch",
      paramLabel = "B",
      description =
          "batch size (default: "
              + TrainProxy.DETECTOR_BATCH
              + " detector, "
              + TrainProxy.SEGMENTER_BATCH
              + " segmenter)")
  Integer batch;

  @Option(
      names = "--lr",
      paramLabel = "LR",
      description =
          "Adam's peak learning rate, cosine decay to 0 (default: "
              + TrainProxy.DETECTOR_LR
              + " detector, "
              + TrainProxy.SEGMENTER_LR
              + " segmenter)")
  Double lr;

  @Option(
      names = "--width",
      paramLabel = "W",
      description =
          "the proxies' base width (default: "
              + BuiltinProxies.DETECTOR_WIDTH
              + " detector, "
              + BuiltinProxies.SEGMENTER_WIDTH
              + " segmenter)")
  Integer width;

  @Option(
      names = "--threads",
      paramLabel = "T",
      description = "LibTorch intra-op threads; 1 is fastest on a shared CPU (default: LibTorch's)")
  Integer threads;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description = "initialisation and batch seed (default: ${DEFAULT-VALUE})")
  long seed;

  /** The real training. */
  public TrainProxyCommand() {
    this(Job.of(TrainProxy::run));
  }

  /**
   * A proxy-training command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public TrainProxyCommand(Job<TrainProxy.Options> job) {
    super(job);
  }

  @Override
  protected TrainProxy.Options options() {
    writableFolder("--out", out);
    inRange("--scenes", scenes, 1, MAX_SCENES);
    inRange("--test-scenes", testScenes, 1, MAX_SCENES);
    if (steps != null) {
      inRange("--steps", steps, 1, Integer.MAX_VALUE);
    }
    if (batch != null) {
      inRange("--batch", batch, 1, 4096);
    }
    if (lr != null) {
      positive("--lr", lr);
    }
    if (width != null) {
      inRange("--width", width, 1, 256);
    }
    if (threads != null) {
      inRange("--threads", threads, 1, 1024);
    }
    return new TrainProxy.Options(
        out,
        task,
        scenes,
        testScenes,
        steps != null ? steps : 0,
        batch != null ? batch : 0,
        lr != null ? lr : 0,
        width != null ? width : 0,
        threads != null ? threads : 0,
        seed);
  }
}
