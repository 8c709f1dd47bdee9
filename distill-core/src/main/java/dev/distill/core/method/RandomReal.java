package dev.distill.core.method;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import dev.distill.core.pipeline.DistillMethod;
import dev.distill.core.pipeline.Seeds;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;

/**
 * The random-real baseline: IPC real images per class drawn uniformly without replacement (seeded
 * by the run seed and the class). Every distillation table reports it at the same IPC.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class RandomReal implements DistillMethod {
  private static final RandomReal INSTANCE = new RandomReal();

  private RandomReal() {}

  /** The method. */
  public static RandomReal of() {
    return INSTANCE;
  }

  @Override
  public String name() {
    return "random-real";
  }

  @Override
  public Map<String, String> config() {
    return Map.of();
  }

  @Override
  public boolean needsSampler() {
    return false;
  }

  @Override
  public ClassGenerator prepare(ClassContext ctx) {
    int n = ctx.realCount();
    int[] order = shuffled(n, Seeds.classSeed(ctx.runSeed(), ctx.classId()));
    return new ClassGenerator() {
      @Override
      public Tensor generate(int first, int count) {
        checkArgument(
            first + count <= n,
            "class %s has only %s real images but index %s was asked",
            ctx.classId(),
            n,
            first + count - 1);
        int[] idx = new int[count];
        System.arraycopy(order, first, idx, 0, count);
        return ctx.realImages(idx);
      }

      @Override
      public String source(int index) {
        return "real:random-real";
      }
    };
  }

  /** A seeded Fisher–Yates permutation of {@code 0..n-1}. */
  static int[] shuffled(int n, long seed) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    Random r = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
