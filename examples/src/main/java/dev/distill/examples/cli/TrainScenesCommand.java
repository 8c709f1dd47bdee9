package dev.distill.examples.cli;

import dev.distill.examples.TrainScenes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill train-scenes}: trains (or resumes) the built-in layout-conditioned scene model
 * ({@link TrainScenes}).
 *
 * @since 0.1.0
 */
@Command(
    name = "train-scenes",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    sortOptions = false,
    header = "Train (or resume) the built-in layout-conditioned scene model.",
    description = {
      "Trains a layout-conditioned latent UNet on Fashion-MNIST scenes (64x64, 1-4 garments,"
          + " composed from the shipped training slice) in the shipped autoencoder's latent space,"
          + " and writes DIR/fashion-mnist-scenes-unet.{safetensors,json} and"
          + " DIR/fashion-mnist-scenes-vae.json.",
      ""
    })
public final class TrainScenesCommand extends JobCommand<TrainScenes.Options> {
  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "where the weights, configs and checkpoint are written")
  Path out;

  @Option(names = "--resume", description = "continue from DIR/checkpoint.safetensors if present")
  boolean resume;

  @Option(
      names = "--scenes",
      paramLabel = "N",
      defaultValue = "10000",
      description = "training scenes (default: ${DEFAULT-VALUE})")
  int scenes;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "3000",
      description = "training steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--batch",
      paramLabel = "B",
      defaultValue = "64",
      description = "batch size (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--lr",
      paramLabel = "LR",
      defaultValue = "0.002",
      description = "peak learning rate; the minimum is 5%% of it (default: ${DEFAULT-VALUE})")
  double lr;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description = "run seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--ckpt-every",
      paramLabel = "N",
      defaultValue = "100",
      description = "steps between checkpoints (default: ${DEFAULT-VALUE})")
  int ckptEvery;

  @Option(
      names = "--threads",
      paramLabel = "T",
      defaultValue = "2",
      description = "LibTorch intra-op threads (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--channels",
      paramLabel = "C",
      split = ",",
      defaultValue = "64,128",
      description = "channels per UNet level (default: ${DEFAULT-VALUE})")
  List<Integer> channels;

  /** The command that runs {@link TrainScenes#run}. */
  public TrainScenesCommand() {
    this(Job.of(TrainScenes::run));
  }

  /**
   * A training command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public TrainScenesCommand(Job<TrainScenes.Options> job) {
    super(job);
  }

  @Override
  protected TrainScenes.Options options() {
    writableFolder("--out", out);
    inRange("--scenes", scenes, 2, 1_000_000);
    inRange("--steps", steps, 1, Integer.MAX_VALUE);
    inRange("--batch", batch, 1, scenes);
    positive("--lr", lr);
    inRange("--ckpt-every", ckptEvery, 1, Integer.MAX_VALUE);
    inRange("--threads", threads, 1, 1024);
    for (int c : channels) {
      inRange("--channels", c, 8, 4096);
    }
    return new TrainScenes.Options(
        out, resume, threads, scenes, steps, batch, seed, lr, ckptEvery, channels);
  }

  @Override
  protected Optional<String> interruptHint(TrainScenes.Options options) {
    return Optional.of(
        "the last checkpoint in "
            + options.out()
            + " is kept (one every "
            + options.checkpointEvery()
            + " steps)");
  }

  /** The same command with {@code --resume}, which continues from the checkpoint. */
  @Override
  protected List<String> resumeArgs(TrainScenes.Options options) {
    List<String> args = new ArrayList<>(super.resumeArgs(options));
    if (!options.resume()) {
      args.add("--resume");
    }
    return args;
  }
}
