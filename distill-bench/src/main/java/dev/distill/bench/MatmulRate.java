package dev.distill.bench;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import java.util.Locale;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The machine's float32 matmul rate through LibTorch: {@code N×N · N×N} products (2·N³ FLOPs each),
 * median GFLOP/s of 5 timed rounds after one warm-up round.
 *
 * <pre>MatmulRate [--n 1024] [--reps 4] [--threads T]</pre>
 */
public final class MatmulRate {
  private MatmulRate() {}

  /**
   * Runs the measurement.
   *
   * @param args see the class comment
   */
  public static void main(String[] args) {
    int n = 1024;
    int reps = 4;
    int threads = Runtime.getRuntime().availableProcessors();
    String dtype = "float32";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--n" -> n = Integer.parseInt(args[++i]);
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--dtype" -> dtype = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Threads.set(threads, threads); // a pure BLAS workload: OpenBLAS gets the threads
    try (TensorScope s = TensorScope.open()) {
      Tensor a = torch.randn(n, n).to(BenchSupport.dtype(dtype));
      Tensor b = torch.randn(n, n).to(BenchSupport.dtype(dtype));
      double[] rates = new double[5];
      for (int round = -1; round < rates.length; round++) {
        long t0 = System.nanoTime();
        for (int r = 0; r < reps; r++) {
          try (TensorScope inner = TensorScope.open()) {
            a.matmul(b);
          }
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        if (round >= 0) {
          rates[round] = reps * 2.0 * n * n * (double) n / sec / 1e9;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "matmul %dx%d %s, %d threads: %.2f GFLOP/s (median of 5)%n",
          n,
          n,
          dtype,
          threads,
          BenchSupport.median(rates));
    }
  }
}
