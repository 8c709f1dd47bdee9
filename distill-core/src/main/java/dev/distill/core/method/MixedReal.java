package dev.distill.core.method;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import dev.distill.core.pipeline.DistillMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Mixes a little real data into a distilled set, the brief's remedy for proxy overfitting (pitfall
 * 1: "mix a little real data"): of each class's IPC images, the first {@code k = floor(fraction ·
 * ipc)} are real training images chosen by a selection ({@link RandomReal} or {@link Herding}), the
 * other {@code ipc − k} come from the wrapped method, which is prepared as if the IPC were {@code
 * ipc − k} (so D4M clusters into {@code ipc − k} prototypes).
 *
 * <p>The real images count in the IPC, so the set's size is unchanged. They come from the run's
 * data ({@code Distill.from(...)}), the training set — never from the evaluation set, which the
 * pipeline does not see (the leak filter still compares them with it). The manifest marks each
 * image: {@link ClassGenerator#source(int)} is {@code "real:<selection>"} for the real ones and the
 * wrapped method's source for the others. Deterministic: the selection's order depends only on the
 * run seed and the class, the generated images on (run seed, class, index − k). Replacements for
 * filtered images (indices {@code >= ipc}) come from the wrapped method, so if a filter drops a
 * real image the class ends with fewer than {@code k} real images (the manifest says how many).
 * Real images are brought to the wrapped method's generation size and channels ({@link
 * ClassContext#forEncoder}) when it needs a sampler.
 *
 * <p>Immutable and thread-safe if the wrapped method and selection are.
 *
 * @since 0.1.0
 */
public final class MixedReal implements DistillMethod {
  private final DistillMethod method;
  private final double fraction;
  private final DistillMethod selection;

  private MixedReal(DistillMethod method, double fraction, DistillMethod selection) {
    this.method = method;
    this.fraction = fraction;
    this.selection = selection;
  }

  /**
   * A mixed method.
   *
   * @param method the generative method that fills the rest of each class
   * @param fraction the share of each class's IPC filled with real images, in {@code [0, 1)}
   * @param selection how the real images are chosen: a selection ({@link
   *     DistillMethod#needsSampler()} false), e.g. {@link RandomReal#of()} or {@link Herding#of}
   * @return the method
   * @throws IllegalArgumentException if the fraction is out of range or the selection generates
   */
  public static MixedReal of(DistillMethod method, double fraction, DistillMethod selection) {
    checkNotNull(method, "method");
    checkNotNull(selection, "selection");
    checkArgument(fraction >= 0 && fraction < 1, "fraction must be in [0, 1) but was %s", fraction);
    checkArgument(
        !selection.needsSampler(),
        "selection must choose real images (needsSampler() false) but was %s",
        selection.name());
    return new MixedReal(method, fraction, selection);
  }

  /**
   * The real images of a class: {@code floor(fraction · ipc)}.
   *
   * @param ipc images per class
   * @param fraction the real share
   * @return how many of the class's images are real
   */
  public static int realPerClass(int ipc, double fraction) {
    return (int) Math.floor(fraction * ipc + 1e-9);
  }

  /** The wrapped method. */
  public DistillMethod method() {
    return method;
  }

  /** The real share. */
  public double fraction() {
    return fraction;
  }

  /** The real-image selection. */
  public DistillMethod selection() {
    return selection;
  }

  @Override
  public String name() {
    return method.name() + "+real";
  }

  @Override
  public Map<String, String> config() {
    Map<String, String> m = new LinkedHashMap<>(method.config());
    m.put("mixedReal.fraction", Double.toString(fraction));
    m.put("mixedReal.perClass", "floor(fraction * ipc)");
    m.put("mixedReal.selection", selection.name());
    selection.config().forEach((k, v) -> m.put("mixedReal.selection." + k, v));
    m.put("mixedReal.source", "training data (Distill.from), never the evaluation set");
    return m;
  }

  @Override
  public boolean needsSampler() {
    return method.needsSampler();
  }

  @Override
  public ClassGenerator prepare(ClassContext ctx) {
    checkNotNull(ctx, "ctx");
    int k = realPerClass(ctx.ipc(), fraction);
    checkArgument(
        k <= ctx.realCount(),
        "class %s must have at least %s real images to mix in but had %s",
        ctx.classId(),
        k,
        ctx.realCount());
    ClassGenerator real = k > 0 ? selection.prepare(ctx) : null;
    ClassGenerator generated = method.prepare(withIpc(ctx, ctx.ipc() - k));
    String realSource = "real:" + selection.name();
    boolean fit = method.needsSampler();
    return new ClassGenerator() {
      @Override
      public Tensor generate(int firstIndex, int count) {
        checkArgument(firstIndex >= 0, "firstIndex must be >= 0 but was %s", firstIndex);
        checkArgument(count >= 1, "count must be >= 1 but was %s", count);
        int end = firstIndex + count;
        int realEnd = Math.min(k, end);
        Tensor r = null;
        if (firstIndex < realEnd) {
          r = real.generate(firstIndex, realEnd - firstIndex);
          if (fit) {
            r = ctx.forEncoder(r);
          }
        }
        int genFirst = Math.max(firstIndex, k);
        Tensor g = genFirst < end ? generated.generate(genFirst - k, end - genFirst) : null;
        if (r == null) {
          return g;
        }
        return g == null ? r : torch.cat(new TensorVector(r, g), 0);
      }

      @Override
      public String source(int index) {
        return index < k ? realSource : generated.source(index - k);
      }
    };
  }

  private static ClassContext withIpc(ClassContext c, int ipc) {
    return new ClassContext(
        c.classId(),
        c.className(),
        c.data(),
        ipc,
        c.runSeed(),
        c.sampler(),
        c.prompts(),
        c.negativePrompt(),
        c.generationSize(),
        c.resizeMode(),
        c.numSteps(),
        c.guidanceScale(),
        c.batchSize(),
        c.extraGuidance(),
        c.listener());
  }

  @Override
  public String toString() {
    return "MixedReal[" + method.name() + ", fraction=" + fraction + ", " + selection.name() + "]";
  }
}
