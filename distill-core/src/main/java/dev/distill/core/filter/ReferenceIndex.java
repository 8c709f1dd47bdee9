package dev.distill.core.filter;

import static com.google.common.base.Preconditions.checkState;

import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * The precomputed perceptual hashes (and, with an encoder, normalised embeddings) of a reference
 * set, typically the evaluation images that distilled samples must not copy. Build it once with
 * {@link DedupFilter#index(org.bytedeco.pytorch.Tensor)} or, for a reference set of any size,
 * streaming with {@link DedupFilter#index(dev.distill.core.data.Dataset)} (it keeps 8 bytes per
 * image plus one embedding row, never the images), and check every class or shard against it.
 *
 * <p>Owns its embedding tensor ({@code [N, D]} float32 on the CPU) and frees it on {@link
 * #close()}. Immutable; thread-safe for reading.
 *
 * @since 0.1.0
 */
public final class ReferenceIndex implements AutoCloseable {
  private final long[] hashes;
  private final Tensor embeddings;
  private final String encoderId;
  private boolean closed;

  /**
   * Wraps the values.
   *
   * @param hashes one perceptual hash per reference image
   * @param embeddings {@code [N, D]} detached normalised embeddings, or null without an encoder
   * @param encoderId the encoder's id, or null without an encoder
   */
  ReferenceIndex(long[] hashes, Tensor embeddings, String encoderId) {
    this.hashes = hashes.clone();
    this.embeddings = embeddings;
    this.encoderId = encoderId;
  }

  /** The number of reference images. */
  public int size() {
    return hashes.length;
  }

  /** The perceptual hash of every reference image (a copy). */
  public long[] hashes() {
    return hashes.clone();
  }

  /** The id of the encoder that embedded the references, if any. */
  public Optional<String> encoderId() {
    return Optional.ofNullable(encoderId);
  }

  /** Package-private raw access for the filter. */
  long hash(int i) {
    return hashes[i];
  }

  /**
   * The normalised embeddings {@code [N, D]}, float32, CPU, if an encoder was used; owned by this
   * index.
   *
   * @throws IllegalStateException if the index is closed
   */
  public Optional<Tensor> embeddings() {
    checkState(!closed, "index must be open but was closed");
    return Optional.ofNullable(embeddings);
  }

  /** Frees the embeddings. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (embeddings != null) {
        embeddings.close();
      }
    }
  }
}
