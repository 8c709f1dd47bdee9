package dev.distill.core.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Encoder;
import dev.distill.core.data.Dataset;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Drops synthetic images that leak evaluation images or duplicate each other, by perceptual hash
 * and (with an encoder) embedding cosine similarity.
 *
 * <p>A distilled set must not contain near-copies of the validation images it will be scored on,
 * and duplicates inside it waste its few images per class; CoDA and Mode-Guided even ship paths
 * that reuse real images. For each image, in order:
 *
 * <ol>
 *   <li><b>leak by hash</b>: its pHash is within {@link DedupConfig#maxHammingDistance()} bits of a
 *       reference image's ({@link DropReason#LEAK_PERCEPTUAL_HASH}, offender = the nearest
 *       reference);
 *   <li><b>leak by embedding</b>: its cosine similarity to a reference image is at least {@link
 *       DedupConfig#cosineThreshold()} ({@link DropReason#LEAK_EMBEDDING}, offender = the most
 *       similar reference);
 *   <li>with {@link DedupConfig#withinSet()}: the same two tests against the <em>earlier kept</em>
 *       images of the set ({@link DropReason#DUPLICATE_PERCEPTUAL_HASH}, {@link
 *       DropReason#DUPLICATE_EMBEDDING}), so the first image of a duplicate group is kept.
 * </ol>
 *
 * The hash catches pixel-level copies (noise, small shifts, brightness changes); the embedding
 * catches semantic copies the hash misses, as far as the chosen encoder sees them. Thresholds are
 * data-dependent: on small, similar-looking images (Fashion-MNIST) report the counts and tune them.
 *
 * <p>Immutable; thread-safe if its encoder is. Each batch runs in its own {@link TensorScope}.
 *
 * @since 0.1.0
 */
public final class DedupFilter {
  private final DedupConfig config;
  private final EmbeddingSimilarity similarity;

  private DedupFilter(DedupConfig config, EmbeddingSimilarity similarity) {
    this.config = config;
    this.similarity = similarity;
  }

  /**
   * A filter that compares perceptual hashes only.
   *
   * @param config the thresholds
   * @return the filter
   */
  public static DedupFilter of(DedupConfig config) {
    return new DedupFilter(checkNotNull(config, "config"), null);
  }

  /**
   * A filter that compares perceptual hashes and embedding cosine similarity.
   *
   * @param config the thresholds
   * @param encoder the embedding (flattened and L2-normalised per image)
   * @return the filter
   */
  public static DedupFilter of(DedupConfig config, Encoder encoder) {
    checkNotNull(config, "config");
    return new DedupFilter(config, EmbeddingSimilarity.of(encoder, config.batchSize()));
  }

  /** The thresholds. */
  public DedupConfig config() {
    return config;
  }

  /** The embedding similarity, if this filter uses one. */
  public Optional<EmbeddingSimilarity> similarity() {
    return Optional.ofNullable(similarity);
  }

  /**
   * Precomputes the hashes (and embeddings) of a reference set.
   *
   * @param referenceImages {@code [M, C, H, W]} in {@code [-1, 1]}, {@code C} 1 or 3
   * @return an index the caller must close
   * @throws IllegalArgumentException if the images have the wrong shape
   */
  public ReferenceIndex index(Tensor referenceImages) {
    checkImages(referenceImages, "referenceImages");
    long[] hashes = PerceptualHash.hashes(referenceImages);
    if (similarity == null) {
      return new ReferenceIndex(hashes, null, null);
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor e = scope.detach(similarity.embed(referenceImages));
      return new ReferenceIndex(hashes, e, similarity.encoder().id());
    }
  }

  /**
   * Precomputes the hashes (and embeddings) of a reference dataset of any size, streaming: each
   * class is decoded batch by batch ({@link DedupConfig#batchSize()} images), hashed and embedded,
   * and only the 64-bit hashes and the normalised embeddings are kept — never the images.
   *
   * <p>Reference images are numbered class by class in position order (all of class 0, then class
   * 1, …), so a {@link DroppedSample#offender()} counts in that order; for a dataset whose images
   * are already in that order (an ImageFolder) this equals {@link #index(Tensor)} on the stacked
   * images.
   *
   * @param reference the reference (evaluation) images, e.g. an {@code ImageFolderDataset}
   * @return an index the caller must close
   * @throws IllegalArgumentException if the images do not have 1 or 3 channels
   * @throws java.io.UncheckedIOException if an image cannot be decoded
   */
  public ReferenceIndex index(Dataset reference) {
    return index(reference, UnaryOperator.identity());
  }

  /**
   * Precomputes the hashes (and embeddings) of a reference dataset, streaming, with each decoded
   * batch first mapped by {@code prepare} (e.g. {@code ImageTransforms.fit} to the generated size,
   * or a move to the encoder's device); otherwise as {@link #index(Dataset)}.
   *
   * @param reference the reference images
   * @param prepare maps a decoded batch {@code [n, C, H, W]} to the filter's input {@code [n, 1 or
   *     3, H', W']}; its result belongs to the scope current when it is called
   * @return an index the caller must close
   * @throws IllegalArgumentException if a prepared batch has the wrong shape
   */
  public ReferenceIndex index(Dataset reference, UnaryOperator<Tensor> prepare) {
    checkNotNull(reference, "reference");
    checkNotNull(prepare, "prepare");
    long[] hashes = new long[reference.size()];
    int at = 0;
    try (TensorScope scope = TensorScope.open()) {
      TensorVector parts = new TensorVector();
      for (int c = 0; c < reference.numClasses(); c++) {
        Iterator<Tensor> batches = reference.batches(c, config.batchSize()).iterator();
        while (batches.hasNext()) {
          try (TensorScope batch = TensorScope.open()) {
            Tensor x = prepare.apply(batches.next());
            checkImages(x, "prepared reference batch");
            long[] h = PerceptualHash.hashes(x);
            System.arraycopy(h, 0, hashes, at, h.length);
            at += h.length;
            if (similarity != null) {
              parts.push_back(batch.keep(similarity.embed(x)));
            }
          }
        }
      }
      checkArgument(
          at == hashes.length,
          "reference must yield its size() = %s images but yielded %s",
          hashes.length,
          at);
      if (similarity == null) {
        return new ReferenceIndex(hashes, null, null);
      }
      Tensor e = parts.empty() ? torch.zeros(new long[] {0, 0}) : torch.cat(parts, 0).contiguous();
      return new ReferenceIndex(hashes, scope.detach(e), similarity.encoder().id());
    }
  }

  /**
   * Drops near-duplicates within the set only (no reference).
   *
   * @param images {@code [N, C, H, W]} in {@code [-1, 1]}, {@code C} 1 or 3
   * @return the kept and dropped indices
   */
  public FilterResult apply(Tensor images) {
    checkImages(images, "images");
    return run(images, null);
  }

  /**
   * Drops images that leak the reference set and, if configured, near-duplicates within the set.
   *
   * @param images {@code [N, C, H, W]} in {@code [-1, 1]}, {@code C} 1 or 3
   * @param reference the index of the reference (evaluation) images, built by this filter's
   *     configuration
   * @return the kept and dropped indices
   * @throws IllegalArgumentException if the images have the wrong shape, or the reference was
   *     indexed without this filter's encoder
   */
  public FilterResult apply(Tensor images, ReferenceIndex reference) {
    checkImages(images, "images");
    checkNotNull(reference, "reference");
    if (similarity != null) {
      checkArgument(
          reference.encoderId().equals(Optional.of(similarity.encoder().id())),
          "reference must be indexed with encoder %s but was indexed with %s",
          similarity.encoder().id(),
          reference.encoderId().orElse("no encoder"));
    }
    return run(images, reference);
  }

  private FilterResult run(Tensor images, ReferenceIndex reference) {
    int n = Math.toIntExact(images.size(0));
    if (n == 0) {
      return FilterResult.keepAll(0);
    }
    long[] hashes = PerceptualHash.hashes(images);
    DroppedSample[] drops = new DroppedSample[n];
    List<Integer> kept = new ArrayList<>();
    try (TensorScope scope = TensorScope.open()) {
      Tensor embeddings = similarity == null ? null : similarity.embed(images);
      if (reference != null && reference.size() > 0) {
        checkLeaks(hashes, embeddings, reference, drops);
      }
      int block = config.batchSize();
      for (int start = 0; start < n; start += block) {
        int len = Math.min(block, n - start);
        try (TensorScope blockScope = TensorScope.open()) {
          float[] sims =
              embeddings == null || !config.withinSet()
                  ? null
                  : Tensors.toFloats(
                      EmbeddingSimilarity.cosine(embeddings.narrow(0, start, len), embeddings));
          for (int r = 0; r < len; r++) {
            int i = start + r;
            if (drops[i] == null && config.withinSet()) {
              drops[i] = duplicateOf(i, hashes, sims, r * n, kept);
            }
            if (drops[i] == null) {
              kept.add(i);
            }
          }
        }
      }
    }
    List<DroppedSample> dropped = new ArrayList<>();
    for (DroppedSample d : drops) {
      if (d != null) {
        dropped.add(d);
      }
    }
    return new FilterResult(n, kept, dropped);
  }

  private void checkLeaks(
      long[] hashes, Tensor embeddings, ReferenceIndex reference, DroppedSample[] drops) {
    int m = reference.size();
    for (int i = 0; i < hashes.length; i++) {
      int best = 0;
      int bestDistance = Integer.MAX_VALUE;
      for (int j = 0; j < m; j++) {
        int d = PerceptualHash.distance(hashes[i], reference.hash(j));
        if (d < bestDistance) {
          bestDistance = d;
          best = j;
        }
      }
      if (bestDistance <= config.maxHammingDistance()) {
        drops[i] = new DroppedSample(i, DropReason.LEAK_PERCEPTUAL_HASH, best, bestDistance);
      }
    }
    if (embeddings != null) {
      Tensor refs = reference.embeddings().orElseThrow();
      checkArgument(
          refs.size(1) == embeddings.size(1),
          "reference embeddings must have width %s but had %s",
          embeddings.size(1),
          refs.size(1));
      List<EmbeddingSimilarity.Match> matches =
          EmbeddingSimilarity.nearest(embeddings, refs, config.batchSize());
      for (int i = 0; i < hashes.length; i++) {
        EmbeddingSimilarity.Match match = matches.get(i);
        if (drops[i] == null && match.similarity() >= config.cosineThreshold()) {
          drops[i] =
              new DroppedSample(i, DropReason.LEAK_EMBEDDING, match.index(), match.similarity());
        }
      }
    }
  }

  /** Sample {@code i} against the earlier kept samples; null if it is not a near-duplicate. */
  private DroppedSample duplicateOf(
      int i, long[] hashes, float[] sims, int rowOffset, List<Integer> kept) {
    int best = -1;
    int bestDistance = Integer.MAX_VALUE;
    for (int j : kept) {
      int d = PerceptualHash.distance(hashes[i], hashes[j]);
      if (d < bestDistance) {
        bestDistance = d;
        best = j;
      }
    }
    if (best >= 0 && bestDistance <= config.maxHammingDistance()) {
      return new DroppedSample(i, DropReason.DUPLICATE_PERCEPTUAL_HASH, best, bestDistance);
    }
    if (sims != null) {
      int bestSim = -1;
      for (int j : kept) {
        if (bestSim < 0 || sims[rowOffset + j] > sims[rowOffset + bestSim]) {
          bestSim = j;
        }
      }
      if (bestSim >= 0 && sims[rowOffset + bestSim] >= config.cosineThreshold()) {
        return new DroppedSample(
            i, DropReason.DUPLICATE_EMBEDDING, bestSim, sims[rowOffset + bestSim]);
      }
    }
    return null;
  }

  private static void checkImages(Tensor images, String name) {
    checkNotNull(images, name);
    long[] shape = Tensors.shape(images);
    checkArgument(
        shape.length == 4 && (shape[1] == 1 || shape[1] == 3),
        "%s must have shape [N, 1 or 3, H, W] but had %s",
        name,
        Arrays.toString(shape));
  }

  @Override
  public String toString() {
    return "DedupFilter[" + config + ", similarity=" + similarity + "]";
  }
}
