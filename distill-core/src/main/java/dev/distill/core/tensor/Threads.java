package dev.distill.core.tensor;

import static com.google.common.base.Preconditions.checkArgument;

import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.pytorch.global.torch;

/**
 * CPU thread settings for LibTorch, in one call.
 *
 * <p>LibTorch on the CPU computes with two thread pools: its own intra-op (OpenMP) pool, used by
 * convolutions (oneDNN), element-wise kernels and its parallel loops, and OpenBLAS's pool, used by
 * matrix products ({@code linear}, {@code matmul}, attention). {@code torch.set_num_threads} sets
 * only the first, and both pools busy-wait for work, so two threads in each on two cores
 * oversubscribe them. Measured on the 2-core project machine (distill-bench/RESULTS.md, sdxl-tiny /
 * sdxl-mid 512² unguided steps per second): intra-op 2 + OpenBLAS 2 → 1.14 / 0.22; intra-op 1 +
 * OpenBLAS 1 → 19.7 / 1.02; intra-op 2 + OpenBLAS 1 → 23.3 / 1.53. {@link #set(int)} therefore
 * gives the intra-op pool {@code n} threads and OpenBLAS one; {@link #set(int, int)} sets both.
 *
 * <p>On a machine whose cores are shared with other busy processes, use one thread per process: a
 * spinning pool with more threads than free cores collapses.
 *
 * @since 0.1.0
 */
public final class Threads {
  private Threads() {}

  /**
   * Sets LibTorch's intra-op pool to {@code n} threads and OpenBLAS's to one (see the class comment
   * for why).
   *
   * @param n threads, at least 1
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public static void set(int n) {
    set(n, 1);
  }

  /**
   * Sets LibTorch's intra-op pool and OpenBLAS's pool separately.
   *
   * @param intraOp LibTorch intra-op threads, at least 1
   * @param blas OpenBLAS threads, at least 1
   * @throws IllegalArgumentException if a count is below 1
   */
  public static void set(int intraOp, int blas) {
    checkArgument(intraOp >= 1, "threads must be >= 1 but was %s", intraOp);
    checkArgument(blas >= 1, "blas threads must be >= 1 but was %s", blas);
    OneDnn.ensureConfigured();
    torch.set_num_threads(intraOp);
    openblas_nolapack.blas_set_num_threads(blas);
  }

  /** LibTorch's intra-op thread count. */
  public static int intraOp() {
    return torch.get_num_threads();
  }

  /** OpenBLAS's thread count. */
  public static int blas() {
    return openblas_nolapack.blas_get_num_threads();
  }
}
