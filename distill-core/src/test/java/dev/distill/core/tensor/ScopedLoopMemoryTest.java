package dev.distill.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Resident memory stays flat over hundreds of sampler-step-sized iterations, each in its own {@link
 * TensorScope} (DESIGN.md "Tensors, memory, devices"; STYLE.md rule 10).
 */
class ScopedLoopMemoryTest {
  private static final int WARMUP = 50;
  private static final int ITERATIONS = 500;
  private static final long LIMIT_BYTES = 64L << 20;

  /** VmRSS of this process from /proc/self/status, in bytes. */
  static long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024; // kB
      }
    }
    throw new AssertionError("no VmRSS line in /proc/self/status");
  }

  /**
   * One guided denoising step of a tiny conv "UNet": z_t requires grad, two 3×3 convolutions with
   * SiLU predict ε̂, a guidance loss on ẑ0 is back-propagated to z_t and the weights, and the
   * latents move on. Only the new latents are kept.
   */
  private static Tensor step(Tensor latents, Tensor w1, Tensor w2, Tensor target, int i) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor z = latents.detach().clone().requires_grad_(true);
      Tensor h = torch.silu(torch.conv2d(z, w1, new TensorOptional(), new long[] {1}, "same"));
      Tensor eps = torch.conv2d(h, w2, new TensorOptional(), new long[] {1}, "same");
      Tensor z0 = z.sub(eps.mul(new Scalar(0.5)));
      Tensor loss = z0.sub(target).square().mean();
      loss.backward();
      Tensor grad = z.grad();
      w1.grad().zero_();
      w2.grad().zero_();
      double sigma = 1.0 - (double) (i % 50) / 50;
      Tensor next =
          z.detach()
              .sub(eps.detach().mul(new Scalar(0.05 * sigma)))
              .sub(grad.mul(new Scalar(0.01)));
      return scope.keep(next);
    }
  }

  @Test
  void residentMemoryStaysFlatOverFiveHundredGuidedSteps() throws IOException {
    // one intra-op thread: on a loaded 2-core machine OpenMP's spinning makes 2 threads ~8x slower
    int threads = torch.get_num_threads();
    torch.set_num_threads(1);
    try (TensorScope run = TensorScope.open()) {
      torch.manual_seed(0);
      Tensor w1 = torch.randn(32, 4, 3, 3).mul(new Scalar(0.1)).requires_grad_(true);
      Tensor w2 = torch.randn(4, 32, 3, 3).mul(new Scalar(0.1)).requires_grad_(true);
      Tensor target = torch.randn(2, 4, 32, 32);
      Tensor latents = torch.randn(2, 4, 32, 32);
      // the first backward creates the .grad buffers
      try (TensorScope s = TensorScope.open()) {
        torch
            .conv2d(
                torch.conv2d(latents, w1, new TensorOptional(), new long[] {1}, "same"),
                w2,
                new TensorOptional(),
                new long[] {1},
                "same")
            .sum()
            .backward();
      }

      for (int i = 0; i < WARMUP; i++) {
        Tensor next = step(latents, w1, w2, target, i);
        latents.close();
        latents = next;
      }
      System.gc();
      long rssBefore = residentBytes();
      long pointersBefore = Pointer.totalCount();
      long start = System.nanoTime();
      for (int i = 0; i < ITERATIONS; i++) {
        try (TensorScope iteration = TensorScope.open()) {
          Tensor next = iteration.detach(step(latents, w1, w2, target, i));
          latents.close();
          latents = next;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.gc();
      long rssAfter = residentBytes();
      long pointersAfter = Pointer.totalCount();
      long growth = rssAfter - rssBefore;
      System.out.printf(
          "ScopedLoopMemoryTest: %d steps in %.1f s, VmRSS %.1f MiB -> %.1f MiB (growth %.2f MiB),"
              + " live JavaCPP pointers %d -> %d%n",
          ITERATIONS,
          seconds,
          rssBefore / 1048576.0,
          rssAfter / 1048576.0,
          growth / 1048576.0,
          pointersBefore,
          pointersAfter);
      assertThat(Tensors.hasNonFinite(latents)).isFalse();
      assertThat(growth).as("VmRSS growth in bytes after warm-up").isLessThan(LIMIT_BYTES);
      assertThat(pointersAfter)
          .as("live JavaCPP pointers back at baseline")
          .isLessThanOrEqualTo(pointersBefore);
      latents.close();
    } finally {
      torch.set_num_threads(threads);
    }
  }
}
