package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.Conditioning;
import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.StepInfo;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Memory stays flat over 500 guided steps of the real {@link BuiltinSampler} (DESIGN.md "Tensors,
 * memory, devices"): the number of live JavaCPP pointers is read after every step and resident
 * native memory (VmRSS less the JVM's committed memory, after a GC) every tenth, and a
 * least-squares slope is fitted over the second half of the run, so a per-step leak as small as one
 * latents tensor (96 KiB here; re-parenting every step's latents to the outer scope measured about
 * 140 KB/step and one pointer/step) fails the test, not only a large total.
 */
class BuiltinSamplerMemoryTest {
  private static final int STEPS = 500;
  private static final int BATCH = 8;

  /** Memory is sampled after every EVERY-th step (after a GC). */
  private static final int EVERY = 10;

  /** VmRSS of this process from /proc/self/status, in bytes. */
  private static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.trim().split("\\s+")[1]) * 1024;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError("no VmRSS line in /proc/self/status");
  }

  /**
   * VmRSS less the JVM's committed heap and non-heap memory: the resident native memory (LibTorch
   * tensors), without the Java heap's growing and shrinking, which would blur the slope.
   */
  private static long nativeBytes() {
    MemoryMXBean m = ManagementFactory.getMemoryMXBean();
    return residentBytes()
        - m.getHeapMemoryUsage().getCommitted()
        - m.getNonHeapMemoryUsage().getCommitted();
  }

  /**
   * The Theil–Sen slope of {@code y} over its indices {@code from .. y.length - 1}: the median of
   * the slopes between every pair of points. A steady leak moves every pair; a one-off jump of the
   * allocator's footprint (seen here: VmRSS falling 7 MiB, then climbing back) moves few, which a
   * least-squares slope over 25 points turned into ±40 KB/step.
   */
  private static double slope(double[] y, int from) {
    List<Double> slopes = new ArrayList<>();
    for (int i = from; i < y.length; i++) {
      for (int j = i + 1; j < y.length; j++) {
        slopes.add((y[j] - y[i]) / (j - i));
      }
    }
    Collections.sort(slopes);
    int n = slopes.size();
    return n % 2 == 1 ? slopes.get(n / 2) : (slopes.get(n / 2 - 1) + slopes.get(n / 2)) / 2;
  }

  /** Pulls x̂0 towards zero with strength 0.01·ᾱ (the whole image, so the decoder path runs). */
  private static final GuidanceTerm PULL =
      new GuidanceTerm() {
        @Override
        public Tensor loss(GuidanceContext ctx) {
          return ctx.predictedImages().square().sum();
        }

        @Override
        public double strength(StepInfo step) {
          return 0.01 * step.alphaBar();
        }
      };

  @Test
  void memoryStaysFlatOverFiveHundredGuidedSteps() {
    SmallUNetConfig config =
        SmallUNetConfig.builder()
            .image(3, 32)
            .numClasses(2)
            .channels(List.of(8, 16))
            .normGroups(4)
            .build();
    try (SmallUNet unet = TinyNets.random(config, 5)) {
      BuiltinSampler sampler = BuiltinSampler.ddim(unet);
      SampleRequest.Builder request =
          SampleRequest.builder(Collections.nCopies(BATCH, Conditioning.ofClass(1)))
              .seed(3)
              .gradientMode(GradientMode.DECODER_ONLY)
              .guidance(PULL);
      sampler.sample(request.numSteps(10).build()).close(); // warm-up: native singletons
      double[] rss = new double[STEPS / EVERY];
      double[] nativeRss = new double[STEPS / EVERY];
      double[] pointers = new double[STEPS];
      try (SampleResult r =
          sampler.sample(
              request.numSteps(STEPS).build(),
              p -> {
                int k = (int) p.done() - 1;
                pointers[k] = Pointer.totalCount();
                if (k % EVERY == 0) {
                  rss[k / EVERY] = residentBytes();
                  System.gc();
                  Pointer.trimMemory(); // return freed native pages, so VmRSS counts live memory
                  nativeRss[k / EVERY] = nativeBytes();
                }
              })) {
        assertThat(Tensors.hasNonFinite(r.images())).isFalse();
      }
      double rssSlope = slope(rss, rss.length / 2) / EVERY;
      double nativeSlope = slope(nativeRss, rss.length / 2) / EVERY;
      double pointerSlope = slope(pointers, STEPS / 2);
      System.out.printf(
          "BuiltinSamplerMemoryTest: %d guided steps, VmRSS %.1f MiB -> %.1f MiB (step %d -> %d),"
              + " slope over the second half %.1f B/step (native, after GC: %.1f B/step);"
              + " live pointers %.0f -> %.0f, slope %.4f/step%n",
          STEPS,
          rss[rss.length / 2] / 1048576.0,
          rss[rss.length - 1] / 1048576.0,
          STEPS / 2,
          STEPS - EVERY,
          rssSlope,
          nativeSlope,
          pointers[STEPS / 2],
          pointers[STEPS - 1],
          pointerSlope);
      long latentsBytes = 4L * BATCH * 3 * 32 * 32;
      assertThat(nativeSlope)
          .as("native VmRSS growth per step (one latents tensor is %s bytes)", latentsBytes)
          .isLessThan(latentsBytes / 4.0);
      assertThat(pointerSlope).as("live JavaCPP pointers per step").isLessThan(0.01);
      assertThat(pointers[STEPS - 1])
          .as("live pointers at the end vs mid-run")
          .isLessThanOrEqualTo(pointers[STEPS / 2]);
    }
  }
}
