package dev.distill.core.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Encoder;
import dev.distill.core.data.Dataset;
import dev.distill.core.nn.Encoders;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Cosine similarity of images in the embedding space of any {@link Encoder}: the semantic
 * near-duplicate test of the leakage and duplicate filters (the "CLIP distance" check of the
 * dataset-distillation literature, with whatever encoder the caller trusts: a CLIP-like image
 * encoder, a proxy classifier's penultimate features, a VAE, or the identity).
 *
 * <p>{@link #embed} encodes in batches of {@code batchSize} without autograd, flattens each
 * embedding and L2-normalises it ({@code e / max(|e|, 1e-12)}); the cosine similarity of two images
 * is then the dot product of their rows. A zero embedding has similarity 0 with everything.
 *
 * <p>Immutable; thread-safe if its encoder is. Each batch runs in its own {@link TensorScope}.
 *
 * @since 0.1.0
 */
public final class EmbeddingSimilarity {
  private static final double EPS = 1e-12;

  private final Encoder encoder;
  private final int batchSize;

  private EmbeddingSimilarity(Encoder encoder, int batchSize) {
    this.encoder = encoder;
    this.batchSize = batchSize;
  }

  /**
   * Cosine similarity in an encoder's embedding space.
   *
   * @param encoder maps images {@code [B, C, H, W]} in {@code [-1, 1]} to {@code [B, ...]}
   * @param batchSize images per encoder call, at least 1
   * @return the similarity
   * @throws IllegalArgumentException if {@code batchSize < 1}
   */
  public static EmbeddingSimilarity of(Encoder encoder, int batchSize) {
    checkNotNull(encoder, "encoder");
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    return new EmbeddingSimilarity(encoder, batchSize);
  }

  /** The encoder. */
  public Encoder encoder() {
    return encoder;
  }

  /** Images per encoder call. */
  public int batchSize() {
    return batchSize;
  }

  /**
   * Embeds images and L2-normalises each flattened embedding.
   *
   * @param images {@code [N, C, H, W]} in {@code [-1, 1]}, on the encoder's device
   * @return {@code [N, D]} float32 on the CPU, rows of unit norm (or zero); a new tensor owned by
   *     the caller's current scope
   * @throws IllegalArgumentException if the images are not 4-D or the encoder returns a wrong batch
   */
  public Tensor embed(Tensor images) {
    checkNotNull(images, "images");
    checkArgument(
        images.dim() == 4,
        "images must have shape [N, C, H, W] but had %s",
        Arrays.toString(Tensors.shape(images)));
    if (images.size(0) == 0) {
      return torch.zeros(new long[] {0, 0});
    }
    try (TensorScope scope = TensorScope.open()) {
      return scope.keep(normalizeRows(Encoders.encodeAll(encoder, images, batchSize)));
    }
  }

  /**
   * Embeds a dataset of any size, streaming: each class is decoded in batches of {@link
   * #batchSize()}, mapped by {@code prepare}, embedded and normalised; only the embeddings are
   * kept. Rows are in class-then-position order (all of class 0 first).
   *
   * @param data the images
   * @param prepare maps a decoded batch to the encoder's input (e.g. {@code ImageTransforms.fit},
   *     or a move to the encoder's device); {@code UnaryOperator.identity()} for none
   * @return {@code [data.size(), D]} float32 on the CPU, rows of unit norm (or zero); owned by the
   *     caller's current scope
   * @throws IllegalArgumentException if the encoder returns a wrong batch
   */
  public Tensor embed(Dataset data, UnaryOperator<Tensor> prepare) {
    checkNotNull(data, "data");
    checkNotNull(prepare, "prepare");
    try (TensorScope scope = TensorScope.open()) {
      TensorVector parts = new TensorVector();
      for (int c = 0; c < data.numClasses(); c++) {
        Iterator<Tensor> batches = data.batches(c, batchSize).iterator();
        while (batches.hasNext()) {
          try (TensorScope batch = TensorScope.open()) {
            parts.push_back(batch.keep(embed(prepare.apply(batches.next()))));
          }
        }
      }
      if (parts.empty()) {
        return scope.keep(torch.zeros(new long[] {0, 0}));
      }
      return scope.keep(torch.cat(parts, 0).contiguous());
    }
  }

  /**
   * Flattens each row and scales it to unit L2 norm ({@code e / max(|e|, 1e-12)}), in float32.
   *
   * @param embeddings {@code [N, ...]} floating
   * @return {@code [N, D]} float32 on the same device; owned by the caller's current scope
   */
  public static Tensor normalizeRows(Tensor embeddings) {
    checkNotNull(embeddings, "embeddings");
    try (TensorScope scope = TensorScope.open()) {
      Tensor e = embeddings.reshape(embeddings.size(0), -1).to(ScalarType.Float);
      Tensor norms = e.square().sum(1).sqrt().clamp_min(Tensors.scalar(EPS)).unsqueeze(1);
      return scope.keep(e.div(norms));
    }
  }

  /**
   * The cosine similarity matrix of two sets of normalised embeddings.
   *
   * @param a {@code [Na, D]} rows of unit norm (from {@link #embed})
   * @param b {@code [Nb, D]} rows of unit norm, same device
   * @return {@code [Na, Nb]} float32; owned by the caller's current scope
   * @throws IllegalArgumentException if the widths differ
   */
  public static Tensor cosine(Tensor a, Tensor b) {
    checkNotNull(a, "a");
    checkNotNull(b, "b");
    checkArgument(
        a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(1),
        "a and b must have shapes [Na, D] and [Nb, D] but had %s and %s",
        Arrays.toString(Tensors.shape(a)),
        Arrays.toString(Tensors.shape(b)));
    return a.mm(b.t());
  }

  /**
   * For each query row, the most similar reference row (the lowest index on ties), computed in
   * blocks of {@code blockSize} query rows.
   *
   * @param queries {@code [Nq, D]} normalised embeddings
   * @param references {@code [Nr, D]} normalised embeddings, {@code Nr >= 1}
   * @param blockSize query rows per block, at least 1
   * @return {@code Nq} matches
   * @throws IllegalArgumentException if the shapes disagree or {@code references} is empty
   */
  public static List<Match> nearest(Tensor queries, Tensor references, int blockSize) {
    checkNotNull(queries, "queries");
    checkNotNull(references, "references");
    checkArgument(blockSize >= 1, "blockSize must be >= 1 but was %s", blockSize);
    checkArgument(
        references.dim() == 2 && references.size(0) >= 1,
        "references must have shape [Nr >= 1, D] but had %s",
        Arrays.toString(Tensors.shape(references)));
    long nq = queries.size(0);
    int nr = Math.toIntExact(references.size(0));
    List<Match> out = new ArrayList<>();
    for (long start = 0; start < nq; start += blockSize) {
      long len = Math.min(blockSize, nq - start);
      try (TensorScope scope = TensorScope.open()) {
        float[] sims = Tensors.toFloats(cosine(queries.narrow(0, start, len), references));
        for (int i = 0; i < len; i++) {
          int best = 0;
          for (int j = 1; j < nr; j++) {
            if (sims[i * nr + j] > sims[i * nr + best]) {
              best = j;
            }
          }
          out.add(new Match(best, sims[i * nr + best]));
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * The most similar reference row of a query.
   *
   * @param index the reference row
   * @param similarity its cosine similarity, in {@code [-1, 1]} up to rounding
   */
  public record Match(int index, double similarity) {}

  @Override
  public String toString() {
    return "EmbeddingSimilarity[encoder=" + encoder.id() + ", batchSize=" + batchSize + "]";
  }
}
