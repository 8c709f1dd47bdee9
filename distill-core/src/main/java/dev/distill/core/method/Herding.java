package dev.distill.core.method;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Encoder;
import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import dev.distill.core.nn.Encoders;
import dev.distill.core.pipeline.DistillMethod;
import dev.distill.core.select.HerdingSelection;
import dev.distill.core.select.SelectionResult;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * The herding baseline (Welling 2009, as in the dataset-condensation benchmarks): per class,
 * greedily pick the real image that keeps the running mean of the picked embeddings closest to the
 * class mean. The order is deterministic, so IPC 1 is a prefix of IPC 10; replacements for filtered
 * images continue the herding order.
 *
 * <p>Immutable; the encoder is borrowed.
 *
 * @since 0.1.0
 */
public final class Herding implements DistillMethod {
  private final Encoder encoder;

  private Herding(Encoder encoder) {
    this.encoder = checkNotNull(encoder, "encoder");
  }

  /**
   * Herding in an embedding space.
   *
   * @param encoder the embedding (e.g. a classifier's penultimate features, or the identity)
   * @return the method
   */
  public static Herding of(Encoder encoder) {
    return new Herding(encoder);
  }

  @Override
  public String name() {
    return "herding";
  }

  @Override
  public Map<String, String> config() {
    return Map.of("encoder", encoder.id());
  }

  @Override
  public boolean needsSampler() {
    return false;
  }

  @Override
  public ClassGenerator prepare(ClassContext ctx) {
    int n = ctx.realCount();
    Tensor features =
        Encoders.encodeClass(
            encoder, ctx.data(), ctx.classId(), Math.max(ctx.batchSize(), 64), x -> x);
    SelectionResult order =
        HerdingSelection.selectByFeatures(features, Collections.nCopies(n, 0), 1, n);
    List<Integer> idx = order.indicesOf(0);
    return new ClassGenerator() {
      @Override
      public Tensor generate(int first, int count) {
        checkArgument(
            first + count <= n,
            "class %s has only %s real images but index %s was asked",
            ctx.classId(),
            n,
            first + count - 1);
        int[] pick = new int[count];
        for (int i = 0; i < count; i++) {
          pick[i] = idx.get(first + i);
        }
        return ctx.realImages(pick);
      }

      @Override
      public String source(int index) {
        return "real:herding";
      }
    };
  }
}
