package dev.distill.examples.cli;

import dev.distill.core.scheduler.Schedulers;
import dev.distill.examples.BackboneQuality;
import dev.distill.examples.BackboneQuality.ModelSource;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill quality}: the built-in model's class agreement, within-class diversity and feature
 * Fréchet distance ({@link BackboneQuality}).
 *
 * @since 0.1.0
 */
@Command(
    name = "quality",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    sortOptions = false,
    header =
        "Measure the built-in model's sample quality (agreement, diversity, Frechet distance).",
    description = {
      "Samples images per class from the built-in diffusion model (the shipped one, or"
          + " --weights/--config, or --ckpt), writes them as an ImageFolder and judges them with"
          + " the shipped teacher: class agreement, within-class diversity, feature Frechet"
          + " distance. The last line printed is the class agreement.",
      ""
    })
public final class QualityCommand extends JobCommand<BackboneQuality.Options> {
  /** Test images per class in the shipped test set: the most samples per class that are judged. */
  static final int MAX_PER_CLASS = 1000;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "where the sampled ImageFolder is written")
  Path out;

  @Option(
      names = "--weights",
      paramLabel = "FILE",
      description = "EMA weights (.safetensors) as train-backbone writes them; needs --config")
  Path weights;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "the model config (.json) of --weights")
  Path config;

  @Option(
      names = "--ckpt",
      paramLabel = "FILE",
      description = "measure the EMA weights of a train-backbone checkpoint.safetensors")
  Path ckpt;

  @Option(
      names = "--backbone",
      paramLabel = "KIND",
      defaultValue = "pixel",
      description =
          "which shipped model: pixel (the pixel-space UNet) or latent (the autoencoder + latent"
              + " UNet) (default: ${DEFAULT-VALUE})")
  String backbone;

  @Option(
      names = "--latent-dir",
      paramLabel = "DIR",
      description =
          "measure a latent model written by train-backbone --latent --out DIR (its"
              + " fashion-mnist-latent-unet.* and fashion-mnist-vae.*)")
  Path latentDir;

  @Option(
      names = "--grid",
      paramLabel = "FILE",
      description = "also write a PNG grid of up to 10 samples per class")
  Path grid;

  @Option(
      names = "--steps",
      paramLabel = "K",
      defaultValue = "25",
      description = "sampling steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--cfg",
      paramLabel = "G",
      defaultValue = "2.0",
      description = "classifier-free guidance scale (default: ${DEFAULT-VALUE})")
  double cfg;

  @Option(
      names = "--per-class",
      paramLabel = "N",
      defaultValue = "100",
      description = "samples per class, 2..1000 (default: ${DEFAULT-VALUE})")
  int perClass;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description = "sampling seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--threads",
      paramLabel = "T",
      defaultValue = "2",
      description = "LibTorch intra-op threads (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--fd-samples",
      paramLabel = "N",
      defaultValue = "10000",
      description =
          "samples for the Frechet distance against the 10,000 test images"
              + " (default: ${DEFAULT-VALUE})")
  int fdSamples;

  @Option(
      names = "--scheduler",
      paramLabel = "CLASS",
      defaultValue = "DPMSolverMultistepScheduler",
      description =
          "diffusers scheduler class: EulerDiscreteScheduler,"
              + " EulerAncestralDiscreteScheduler, DDIMScheduler or DPMSolverMultistepScheduler"
              + " (default: ${DEFAULT-VALUE})")
  String scheduler;

  /** The real measurement. */
  public QualityCommand() {
    this(Job.of(BackboneQuality::run));
  }

  /**
   * A quality command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public QualityCommand(Job<BackboneQuality.Options> job) {
    super(job);
  }

  @Override
  protected BackboneQuality.Options options() {
    ModelSource source;
    if (!backbone.equals("pixel") && !backbone.equals("latent")) {
      throw invalid("--backbone", backbone, "be pixel or latent");
    }
    if (latentDir != null) {
      if (ckpt != null || weights != null || config != null) {
        throw invalid("--latent-dir", latentDir, "not be combined with --ckpt/--weights/--config");
      }
      source =
          new ModelSource.LatentFolder(
              readableFolder(
                  "--latent-dir",
                  latentDir,
                  "fashion-mnist-latent-unet.safetensors",
                  "fashion-mnist-latent-unet.json",
                  "fashion-mnist-vae.safetensors",
                  "fashion-mnist-vae.json"));
    } else if (ckpt != null) {
      if (weights != null || config != null) {
        throw invalid("--ckpt", ckpt, "not be combined with --weights/--config");
      }
      source = new ModelSource.Checkpoint(readableFile("--ckpt", ckpt));
    } else if (weights != null || config != null) {
      if (weights == null) {
        throw invalid("--weights", "missing", "be given with --config");
      }
      if (config == null) {
        throw invalid("--config", "missing", "be given with --weights");
      }
      source =
          new ModelSource.WeightFiles(
              readableFile("--weights", weights), readableFile("--config", config));
    } else {
      source =
          backbone.equals("latent") ? new ModelSource.ShippedLatent() : new ModelSource.Shipped();
    }
    writableFolder("--out", out);
    if (grid != null) {
      writableFile("--grid", grid);
    }
    inRange("--steps", steps, 1, 1000);
    inRange("--cfg", cfg, 0.0, Double.MAX_VALUE);
    inRange("--per-class", perClass, 2, MAX_PER_CLASS);
    inRange("--threads", threads, 1, 1024);
    inRange("--fd-samples", fdSamples, 0, Integer.MAX_VALUE);
    if (!Schedulers.knownClassNames().contains(scheduler)) {
      throw invalid(
          "--scheduler", scheduler, "be one of " + String.join(", ", Schedulers.knownClassNames()));
    }
    return new BackboneQuality.Options(
        out,
        source,
        Optional.ofNullable(grid),
        steps,
        cfg,
        perClass,
        seed,
        threads,
        fdSamples,
        scheduler);
  }
}
