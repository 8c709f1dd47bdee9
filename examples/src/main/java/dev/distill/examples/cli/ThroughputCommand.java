package dev.distill.examples.cli;

import dev.distill.bench.BenchSupport.GuidanceKind;
import dev.distill.bench.SamplerThroughput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill throughput}: sampling throughput of an SDXL pipeline ({@link SamplerThroughput}).
 *
 * @since 0.1.0
 */
@Command(
    name = "throughput",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    sortOptions = false,
    header = "Measure the sampling throughput of an SDXL pipeline.",
    description = {
      "Sampling throughput of an SDXL pipeline: steps divided by the wall time of one"
          + " text-to-image call returning latents (text encoding included, VAE decode excluded),"
          + " median of the calls after one warm-up call. The last line is '<x> steps/s'.",
      ""
    })
public final class ThroughputCommand extends JobCommand<ThroughputCommand.Options> {
  /** The dtypes {@code --dtype} takes. */
  static final List<String> DTYPES = List.of("float32", "bfloat16", "float16");

  /**
   * The parsed settings.
   *
   * @param pipeline the diffusers folder
   * @param randomWeights write seeded random weights first (for a config-only folder)
   * @param steps sampling steps
   * @param batch images per call
   * @param height image height, 0 for the pipeline's default
   * @param width image width, 0 for the pipeline's default
   * @param cfg classifier-free guidance scale
   * @param guidance the guidance term
   * @param threads LibTorch intra-op threads
   * @param repeats measured calls
   * @param json where to append the figures as one JSON line, if anywhere
   * @param decodeScale decoder downsampling for the guidance gradient (1, 2 or 4)
   * @param blasThreads OpenBLAS threads
   * @param dtype the UNet and text encoders' dtype
   */
  public record Options(
      Path pipeline,
      boolean randomWeights,
      int steps,
      int batch,
      int height,
      int width,
      double cfg,
      GuidanceKind guidance,
      int threads,
      int repeats,
      Optional<Path> json,
      int decodeScale,
      int blasThreads,
      String dtype) {

    /**
     * The same settings as {@code SamplerThroughput}'s arguments.
     *
     * @return the argument list
     */
    public List<String> toArgs() {
      List<String> a =
          new ArrayList<>(
              List.of(
                  "--pipeline", pipeline.toString(),
                  "--steps", Integer.toString(steps),
                  "--batch", Integer.toString(batch),
                  "--cfg", Double.toString(cfg),
                  "--guidance", guidance.name().toLowerCase(Locale.ROOT),
                  "--threads", Integer.toString(threads),
                  "--repeats", Integer.toString(repeats),
                  "--decode-scale", Integer.toString(decodeScale),
                  "--blas-threads", Integer.toString(blasThreads),
                  "--dtype", dtype));
      if (height > 0) {
        a.addAll(List.of("--size", Integer.toString(height), Integer.toString(width)));
      }
      if (randomWeights) {
        a.add("--random-weights");
      }
      json.ifPresent(j -> a.addAll(List.of("--json", j.toString())));
      return a;
    }
  }

  @Option(
      names = "--pipeline",
      paramLabel = "DIR",
      required = true,
      description = "diffusers folder (model_index.json + components)")
  Path pipeline;

  @Option(
      names = "--random-weights",
      description = "first write seeded random weights, for a config-only folder such as sdxl-mid")
  boolean randomWeights;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "4",
      description = "sampling steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--batch",
      paramLabel = "B",
      defaultValue = "1",
      description = "images per call (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--size",
      paramLabel = "PX",
      arity = "2",
      description = "image height and width, multiples of 8 (default: the pipeline's)")
  List<Integer> size = List.of();

  @Option(
      names = "--cfg",
      paramLabel = "S",
      defaultValue = "5.0",
      description = "classifier-free guidance scale (default: ${DEFAULT-VALUE})")
  double cfg;

  @Option(
      names = "--guidance",
      paramLabel = "KIND",
      defaultValue = "none",
      description = "guidance term: none, z0, decoder or unet (default: ${DEFAULT-VALUE})")
  GuidanceKind guidance;

  @Option(
      names = "--threads",
      paramLabel = "T",
      description = "LibTorch intra-op threads (default: all cores)")
  Integer threads;

  @Option(
      names = "--repeats",
      paramLabel = "R",
      defaultValue = "3",
      description = "measured calls (default: ${DEFAULT-VALUE})")
  int repeats;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "append the figures to FILE as one JSON line")
  Path json;

  @Option(
      names = "--decode-scale",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "decode a downsampled z0 for the guidance gradient: 1, 2 or 4"
              + " (default: ${DEFAULT-VALUE})")
  int decodeScale;

  @Option(
      names = "--blas-threads",
      paramLabel = "T",
      defaultValue = "1",
      description = "OpenBLAS threads (default: ${DEFAULT-VALUE})")
  int blasThreads;

  @Option(
      names = "--dtype",
      paramLabel = "TYPE",
      defaultValue = "float32",
      description =
          "UNet and text-encoder dtype: float32, bfloat16 or float16"
              + " (default: ${DEFAULT-VALUE})")
  String dtype;

  /** The real measurement. */
  public ThroughputCommand() {
    this(Job.of(options -> SamplerThroughput.main(options.toArgs().toArray(new String[0]))));
  }

  /**
   * A throughput command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public ThroughputCommand(Job<Options> job) {
    super(job);
  }

  @Override
  protected Options options() {
    readableFolder("--pipeline", pipeline, "model_index.json");
    inRange("--steps", steps, 1, 1000);
    inRange("--batch", batch, 1, 1024);
    for (int px : size) {
      if (px < 8 || px % 8 != 0) {
        throw invalid("--size", px, "be a positive multiple of 8");
      }
    }
    inRange("--cfg", cfg, 0.0, Double.MAX_VALUE);
    int t =
        threads != null
            ? inRange("--threads", threads, 1, 1024)
            : Runtime.getRuntime().availableProcessors();
    inRange("--repeats", repeats, 1, 1000);
    if (json != null) {
      writableFile("--json", json);
    }
    if (decodeScale != 1 && decodeScale != 2 && decodeScale != 4) {
      throw invalid("--decode-scale", decodeScale, "be 1, 2 or 4");
    }
    inRange("--blas-threads", blasThreads, 1, 1024);
    if (!DTYPES.contains(dtype)) {
      throw invalid("--dtype", dtype, "be one of " + String.join(", ", DTYPES));
    }
    return new Options(
        pipeline,
        randomWeights,
        steps,
        batch,
        size.isEmpty() ? 0 : size.get(0),
        size.isEmpty() ? 0 : size.get(1),
        cfg,
        guidance,
        t,
        repeats,
        Optional.ofNullable(json),
        decodeScale,
        blasThreads,
        dtype);
  }
}
