package dev.distill.examples.cli;

import dev.distill.examples.TrainBackbone;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill train-backbone}: trains (or resumes, or extends) the built-in class-conditional
 * diffusion model on Fashion-MNIST ({@link TrainBackbone}).
 *
 * @since 0.1.0
 */
@Command(
    name = "train-backbone",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    sortOptions = false,
    header = "Train (or resume, or extend) the built-in diffusion model.",
    description = {
      "Trains the built-in diffusion model on the 60,000 Fashion-MNIST training images and"
          + " writes DIR/fashion-mnist-unet.safetensors (EMA weights) and"
          + " DIR/fashion-mnist-unet.json (its config).",
      ""
    })
public final class TrainBackboneCommand extends JobCommand<TrainBackbone.Options> {
  static final String[] TRAIN_FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"};

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "where the weights and config are written")
  Path out;

  @Option(
      names = "--ckpt",
      paramLabel = "DIR",
      description = "where checkpoint.safetensors is written and resumed from (default: --out)")
  Path ckpt;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "/usr/share/datasets/fashion-mnist",
      description = "folder with the IDX training files (default: ${DEFAULT-VALUE})")
  Path data;

  @Option(names = "--resume", description = "continue from the checkpoint if there is one")
  boolean resume;

  @Option(
      names = "--extend",
      paramLabel = "N",
      description =
          "resume and lengthen the run to N steps in all (a warm restart of the"
              + " cosine learning rate)")
  Integer extend;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "3000",
      description = "training steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--batch",
      paramLabel = "B",
      defaultValue = "48",
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
      description = "channels per UNet level, e.g. 32,64,64 (default: the built-in config's)")
  List<Integer> channels = List.of();

  @Option(
      names = "--res-blocks",
      paramLabel = "N",
      description = "residual blocks per level (default: the built-in config's)")
  Integer resBlocks;

  @Option(
      names = "--patch",
      paramLabel = "P",
      description = "patch size (default: the built-in config's)")
  Integer patch;

  @Option(
      names = "--latent",
      description =
          "train the latent model: an autoencoder (DIR/fashion-mnist-vae.*), then a UNet on its"
              + " latents (DIR/fashion-mnist-latent-unet.*)")
  boolean latent;

  @Option(
      names = "--vae-steps",
      paramLabel = "N",
      defaultValue = "2000",
      description = "autoencoder training steps with --latent (default: ${DEFAULT-VALUE})")
  int vaeSteps;

  @Option(
      names = "--vae-batch",
      paramLabel = "B",
      defaultValue = "64",
      description = "autoencoder batch size with --latent (default: ${DEFAULT-VALUE})")
  int vaeBatch;

  @Option(
      names = "--vae-lr",
      paramLabel = "LR",
      defaultValue = "0.002",
      description = "autoencoder peak learning rate with --latent (default: ${DEFAULT-VALUE})")
  double vaeLr;

  @Option(
      names = "--kl-weight",
      paramLabel = "W",
      defaultValue = "0.0005",
      description = "weight of the autoencoder's KL term with --latent (default: ${DEFAULT-VALUE})")
  double klWeight;

  /** The real training. */
  public TrainBackboneCommand() {
    this(Job.of(TrainBackbone::run));
  }

  /**
   * A training command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public TrainBackboneCommand(Job<TrainBackbone.Options> job) {
    super(job);
  }

  @Override
  protected TrainBackbone.Options options() {
    readableFolder("--data", data, TRAIN_FILES);
    writableFolder("--out", out);
    if (ckpt != null) {
      writableFolder("--ckpt", ckpt);
    }
    if (extend != null) {
      inRange("--extend", extend, 1, Integer.MAX_VALUE);
    }
    inRange("--steps", steps, 1, Integer.MAX_VALUE);
    inRange("--batch", batch, 1, 60_000);
    positive("--lr", lr);
    inRange("--ckpt-every", ckptEvery, 1, Integer.MAX_VALUE);
    inRange("--threads", threads, 1, 1024);
    for (int c : channels) {
      inRange("--channels", c, 1, 4096);
    }
    if (resBlocks != null) {
      inRange("--res-blocks", resBlocks, 1, 16);
    }
    if (patch != null) {
      inRange("--patch", patch, 1, 28);
    }
    inRange("--vae-steps", vaeSteps, 1, Integer.MAX_VALUE);
    inRange("--vae-batch", vaeBatch, 1, 60_000);
    positive("--vae-lr", vaeLr);
    inRange("--kl-weight", klWeight, 0, 1e6);
    return new TrainBackbone.Options(
        out,
        ckpt != null ? ckpt : out,
        data,
        resume || extend != null,
        extend != null ? extend : 0,
        threads,
        steps,
        batch,
        seed,
        lr,
        ckptEvery,
        channels,
        resBlocks != null ? resBlocks : 0,
        patch != null ? patch : 0,
        latent,
        vaeSteps,
        vaeBatch,
        vaeLr,
        klWeight);
  }

  @Override
  protected Optional<String> interruptHint(TrainBackbone.Options options) {
    return Optional.of(
        "the last checkpoint in "
            + options.ckptDir()
            + " is kept (one every "
            + options.checkpointEvery()
            + " steps)");
  }

  /** The same command with {@code --resume}, which continues from the checkpoint. */
  @Override
  protected List<String> resumeArgs(TrainBackbone.Options options) {
    List<String> args = new ArrayList<>(super.resumeArgs(options));
    if (!options.resume()) {
      args.add("--resume");
    }
    return args;
  }
}
