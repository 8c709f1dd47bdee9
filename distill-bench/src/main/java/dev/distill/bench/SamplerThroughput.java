package dev.distill.bench;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.api.Conditioning;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.bench.BenchSupport.GuidanceKind;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.sdxl.pipeline.SdxlOptions;
import dev.distill.sdxl.pipeline.SdxlPipeline;
import dev.distill.sdxl.pipeline.SdxlRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sampling throughput of an SDXL pipeline: {@code numSteps} divided by the wall time of one
 * text-to-image call that returns latents (text encoding included, VAE decode excluded), median of
 * 3 calls after one warm-up call.
 *
 * <pre>
 * SamplerThroughput --pipeline DIR [--random-weights] --steps N --batch B --size H W --cfg S
 *                   --guidance none|z0|decoder|unet [--threads T] [--repeats R] [--json FILE]
 *                   [--decode-scale N] [--blas-threads T] [--dtype float32|bfloat16|float16]
 * </pre>
 *
 * <p>{@code none} calls {@code SdxlPipeline.generate} with {@code decode(false)}. The guided kinds
 * go through {@code pipeline.sampler()}, which always decodes the final latents; that decode is
 * timed separately on the same latents (median of 3) and subtracted, and both figures are printed.
 * {@code --random-weights} first writes seeded random weights for a config-only folder such as
 * {@code sdxl-mid}. The last line is {@code <x> steps/s} with the spread of the calls, the process
 * CPU time and the peak RSS (VmHWM); {@code --json FILE} also appends the figures as one JSON line.
 */
public final class SamplerThroughput {
  private SamplerThroughput() {}

  /**
   * Runs the measurement.
   *
   * @param args see the class comment
   * @throws Exception on I/O errors
   */
  public static void main(String[] args) throws Exception {
    Path dir = null;
    boolean random = false;
    int steps = 4;
    int batch = 1;
    int height = 0;
    int width = 0;
    double cfg = 5.0;
    GuidanceKind kind = GuidanceKind.NONE;
    int threads = Runtime.getRuntime().availableProcessors();
    int repeats = 3;
    Path json = null;
    int decodeScale = 1;
    int blasThreads = -1;
    String dtype = "float32";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pipeline" -> dir = Path.of(args[++i]);
        case "--random-weights" -> random = true;
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--size" -> {
          height = Integer.parseInt(args[++i]);
          width = Integer.parseInt(args[++i]);
        }
        case "--cfg" -> cfg = Double.parseDouble(args[++i]);
        case "--guidance" -> kind = GuidanceKind.parse(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        case "--json" -> json = Path.of(args[++i]);
        case "--decode-scale" -> decodeScale = Integer.parseInt(args[++i]);
        case "--blas-threads" -> blasThreads = Integer.parseInt(args[++i]);
        case "--dtype" -> dtype = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    checkArgument(dir != null, "--pipeline must be given but was missing");
    checkArgument(steps >= 1, "steps must be >= 1 but was %s", steps);
    checkArgument(batch >= 1, "batch must be >= 1 but was %s", batch);
    checkArgument(repeats >= 1, "repeats must be >= 1 but was %s", repeats);
    Threads.set(threads, blasThreads > 0 ? blasThreads : 1);
    System.out.printf(
        Locale.ROOT,
        "pipeline=%s random=%s steps=%d batch=%d size=%dx%d cfg=%.2f guidance=%s threads=%d"
            + " decodeScale=%d dtype=%s%n",
        dir,
        random,
        steps,
        batch,
        height,
        width,
        cfg,
        kind.name().toLowerCase(Locale.ROOT),
        threads,
        decodeScale,
        dtype);
    Path loadDir = random ? RandomPipelines.materialize(dir, 1234) : dir;
    try (SdxlPipeline pipe =
        SdxlPipeline.load(
            loadDir,
            SdxlOptions.cpu().withDecodeScale(decodeScale).withDtype(BenchSupport.dtype(dtype)))) {
      int h = height > 0 ? height : pipe.defaultImageSize();
      int w = width > 0 ? width : pipe.defaultImageSize();
      Call call = new Call(pipe, kind, steps, batch, h, w, cfg);
      call.run(); // warm-up
      double[] net = new double[repeats];
      double[] cpu = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        double c0 = BenchSupport.processCpuSeconds();
        double[] t = call.run();
        cpu[r] = BenchSupport.processCpuSeconds() - c0;
        net[r] = t[0] - t[1];
        System.out.printf(
            Locale.ROOT,
            "call %d: %.3f s total, %.3f s decode subtracted -> %.3f s (process CPU %.3f s incl."
                + " the decode timings)%n",
            r + 1,
            t[0],
            t[1],
            net[r],
            cpu[r]);
      }
      double cpuMedian = BenchSupport.median(cpu);
      double median = BenchSupport.median(net);
      double fastest = java.util.Arrays.stream(net).min().orElseThrow();
      double slowest = java.util.Arrays.stream(net).max().orElseThrow();
      System.out.printf(
          Locale.ROOT,
          "%.4f steps/s (median %.3f s wall per call of %d steps, batch %d; calls %.3f–%.3f s,"
              + " best %.4f steps/s; median process CPU %.3f s), peak RSS %.0f MiB%n",
          steps / median,
          median,
          steps,
          batch,
          fastest,
          slowest,
          steps / fastest,
          cpuMedian,
          BenchSupport.peakRssMib());
      if (json != null) {
        // one JSON object per line, appended, so a suite collects all runs in one file
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("pipeline", dir.getFileName().toString());
        rec.put("randomWeights", random);
        rec.put("steps", steps);
        rec.put("batch", batch);
        rec.put("height", h);
        rec.put("width", w);
        rec.put("cfg", cfg);
        rec.put("guidance", kind.name().toLowerCase(Locale.ROOT));
        rec.put("decodeScale", decodeScale);
        rec.put("dtype", dtype);
        rec.put("threads", threads);
        rec.put("blasThreads", Threads.blas());
        rec.put("callSeconds", net);
        rec.put("medianSeconds", median);
        rec.put("stepsPerSecond", steps / median);
        rec.put("bestStepsPerSecond", steps / fastest);
        rec.put("medianProcessCpuSeconds", cpuMedian);
        rec.put("peakRssMib", BenchSupport.peakRssMib());
        Files.writeString(
            json,
            new ObjectMapper().writeValueAsString(rec) + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    } finally {
      if (random) {
        RandomPipelines.deleteRecursively(loadDir);
      }
    }
  }

  /** One measured call: returns {total seconds, decode seconds to subtract}. */
  private record Call(
      SdxlPipeline pipe, GuidanceKind kind, int steps, int batch, int h, int w, double cfg) {
    double[] run() {
      List<String> prompts = Collections.nCopies(batch, "a photo of a red fox in the snow");
      try (TensorScope s = TensorScope.open()) {
        if (kind == GuidanceKind.NONE) {
          long t0 = System.nanoTime();
          SampleResult r =
              pipe.generate(
                  SdxlRequest.builder(prompts)
                      .numSteps(steps)
                      .imageSize(h, w)
                      .guidanceScale(cfg)
                      .decode(false)
                      .build());
          double total = (System.nanoTime() - t0) / 1e9;
          r.close();
          return new double[] {total, 0};
        }
        List<Conditioning> conds = new ArrayList<>();
        prompts.forEach(p -> conds.add(Conditioning.ofPrompt(p)));
        SampleRequest request =
            SampleRequest.builder(conds)
                .numSteps(steps)
                .imageSize(h, w)
                .guidanceScale(cfg)
                .guidance(kind.term().orElseThrow())
                .gradientMode(kind.gradientMode())
                .build();
        long t0 = System.nanoTime();
        SampleResult r = pipe.sampler().sample(request);
        double total = (System.nanoTime() - t0) / 1e9;
        double[] dec = new double[3];
        for (int i = 0; i < dec.length; i++) {
          try (TensorScope d = TensorScope.open()) {
            long t1 = System.nanoTime();
            pipe.decode(r.latents());
            dec[i] = (System.nanoTime() - t1) / 1e9;
          }
        }
        r.close();
        return new double[] {total, BenchSupport.median(dec)};
      }
    }
  }
}
