package dev.distill.core.select;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Encoder;
import dev.distill.core.data.Dataset;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.nn.Encoders;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Herding selection (Welling, ICML 2009, <a
 * href="https://dl.acm.org/doi/10.1145/1553374.1553517">"Herding dynamical weights to learn"</a>):
 * per class, greedily add the sample that keeps the mean of the chosen samples closest to the class
 * mean in an embedding space.
 *
 * <p>This is the herding coreset baseline of the dataset-condensation benchmarks (DC, DSA, DM, the
 * Minimax ImageWoof table): at step {@code t} (from 0) it picks the unchosen sample {@code i} that
 * minimises {@code |(t + 1) μ − Σ chosen − f_i|²}, i.e. that brings the running mean closest to the
 * class mean {@code μ}. Ties go to the lowest index. Indices are returned in herding order, so the
 * first {@code k} of an IPC-{@code n} selection are the IPC-{@code k} selection. Deterministic (no
 * randomness at all); computed in float64 with exact differences.
 *
 * <p>The embedding comes from any {@link Encoder} (for example a proxy network's penultimate
 * features, or the identity for pixel-space herding), flattened per sample; or from precomputed
 * features through {@link #selectByFeatures}.
 *
 * <p>Immutable; thread-safe if its encoder is.
 *
 * @since 0.1.0
 */
public final class HerdingSelection implements SubsetSelector {
  private final Encoder encoder;
  private final int batchSize;

  private HerdingSelection(Encoder encoder, int batchSize) {
    this.encoder = encoder;
    this.batchSize = batchSize;
  }

  /**
   * Herding in the embedding space of an encoder.
   *
   * @param encoder maps images {@code [B, C, H, W]} in {@code [-1, 1]} to features {@code [B, ...]}
   * @param batchSize images per encoder call, at least 1
   * @return the selector
   * @throws IllegalArgumentException if {@code batchSize < 1}
   */
  public static HerdingSelection of(Encoder encoder, int batchSize) {
    checkNotNull(encoder, "encoder");
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    return new HerdingSelection(encoder, batchSize);
  }

  /**
   * Embeds every image with the encoder (in batches, without autograd) and herds each class.
   *
   * @param data the labelled images
   * @param ipc images per class, at least 1
   * @return the chosen indices per class, in herding order
   * @throws IllegalArgumentException if {@code ipc < 1} or a class has fewer than {@code ipc}
   *     images
   */
  @Override
  public SelectionResult select(LabeledImages data, int ipc) {
    int[][] byClass = ClassIndices.of(data);
    ClassIndices.checkEnough(byClass, ipc);
    try (TensorScope scope = TensorScope.open()) {
      return herdAll(embed(data.images()), byClass, ipc);
    }
  }

  /**
   * Herds each class of any dataset, streaming: one class at a time is decoded in batches of {@code
   * batchSize} and embedded ({@link Encoders#encodeClass}), so only that class's embeddings are
   * held, never the images.
   *
   * @param data the dataset
   * @param ipc images per class, at least 1
   * @return the chosen positions per class, in herding order
   * @throws IllegalArgumentException if {@code ipc < 1} or a class has fewer than {@code ipc}
   *     images
   */
  @Override
  public PositionSelection selectPositions(Dataset data, int ipc) {
    int[][] positions = ClassIndices.positions(data);
    ClassIndices.checkEnough(positions, ipc);
    List<List<Integer>> out = new ArrayList<>();
    for (int c = 0; c < positions.length; c++) {
      try (TensorScope scope = TensorScope.open()) {
        Tensor e = Encoders.encodeClass(encoder, data, c, batchSize, UnaryOperator.identity());
        int[] order = herd(e.reshape(e.size(0), -1).to(ScalarType.Double), ipc);
        List<Integer> chosen = new ArrayList<>(ipc);
        for (int o : order) {
          chosen.add(o);
        }
        out.add(chosen);
      }
    }
    return new PositionSelection(out);
  }

  /**
   * Herds each class in a precomputed feature space.
   *
   * @param features {@code [N, ...]} floating features (flattened per sample), any device
   * @param labels the label of each sample, each in {@code [0, numClasses)}
   * @param numClasses the number of classes
   * @param ipc samples per class, at least 1
   * @return the chosen indices per class, in herding order
   * @throws IllegalArgumentException if the sizes disagree, a label is out of range, {@code ipc <
   *     1}, or a class has fewer than {@code ipc} samples
   */
  public static SelectionResult selectByFeatures(
      Tensor features, List<Integer> labels, int numClasses, int ipc) {
    checkNotNull(features, "features");
    int[][] byClass = ClassIndices.of(labels, numClasses);
    checkArgument(
        features.dim() >= 1 && features.size(0) == labels.size(),
        "features must have shape [%s, ...] but had %s",
        labels.size(),
        Arrays.toString(Tensors.shape(features)));
    checkArgument(
        features.is_floating_point(),
        "features must be floating point but had dtype %s",
        features.scalar_type());
    ClassIndices.checkEnough(byClass, ipc);
    try (TensorScope scope = TensorScope.open()) {
      Tensor f = features.detach().reshape(features.size(0), -1).to(ScalarType.Double);
      return herdAll(f, byClass, ipc);
    }
  }

  private Tensor embed(Tensor images) {
    Tensor e = Encoders.encodeAll(encoder, images, batchSize);
    return e.reshape(e.size(0), -1).to(ScalarType.Double);
  }

  private static SelectionResult herdAll(Tensor features, int[][] byClass, int ipc) {
    List<List<Integer>> out = new ArrayList<>();
    for (int[] members : byClass) {
      try (TensorScope scope = TensorScope.open()) {
        Tensor f =
            features.index_select(
                0, Tensors.fromInts(members).to(features.device(), ScalarType.Long));
        int[] order = herd(f, ipc);
        List<Integer> chosen = new ArrayList<>(ipc);
        for (int o : order) {
          chosen.add(members[o]);
        }
        out.add(chosen);
      }
    }
    return new SelectionResult(out);
  }

  /** Herding order of the rows of {@code f} ({@code [n, D]} float64), {@code ipc} of them. */
  private static int[] herd(Tensor f, int ipc) {
    int n = Math.toIntExact(f.size(0));
    Tensor mean = f.mean(0);
    Tensor chosenSum = f.new_zeros(f.size(1));
    boolean[] taken = new boolean[n];
    int[] order = new int[ipc];
    for (int t = 0; t < ipc; t++) {
      try (TensorScope step = TensorScope.open()) {
        Tensor target = mean.mul(Tensors.scalar(t + 1)).sub(chosenSum);
        double[] d = toDoubles(f.sub(target).square().sum(1));
        int best = -1;
        for (int i = 0; i < n; i++) {
          if (!taken[i] && (best < 0 || d[i] < d[best])) {
            best = i;
          }
        }
        taken[best] = true;
        order[t] = best;
        chosenSum.add_(f.select(0, best));
      }
    }
    return order;
  }

  private static double[] toDoubles(Tensor t) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor c = t.detach().to(ScalarType.Double).cpu().contiguous();
      double[] out = new double[Math.toIntExact(c.numel())];
      new DoublePointer(c.data_ptr_double()).capacity(out.length).get(out);
      return out;
    }
  }

  @Override
  public String toString() {
    return "HerdingSelection[encoder=" + encoder.id() + ", batchSize=" + batchSize + "]";
  }
}
