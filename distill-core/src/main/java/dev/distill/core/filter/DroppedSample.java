package dev.distill.core.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One sample a filter dropped, with the reason and the evidence.
 *
 * @param index the sample's index in the filtered set
 * @param reason why it was dropped
 * @param offender what it collided with, per {@link DropReason#offender()}: the reference image
 *     index (leaks), the earlier kept sample index (duplicates), or the proxy's predicted class
 *     (confidence)
 * @param score the evidence: the Hamming distance (perceptual-hash reasons), the cosine similarity
 *     (embedding reasons), or the probability that was compared with the threshold (confidence
 *     reasons)
 * @since 0.1.0
 */
public record DroppedSample(int index, DropReason reason, int offender, double score) {
  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException if an index is negative or the score is NaN
   */
  public DroppedSample {
    checkArgument(index >= 0, "index must be >= 0 but was %s", index);
    checkNotNull(reason, "reason");
    checkArgument(offender >= 0, "offender must be >= 0 but was %s", offender);
    checkArgument(!Double.isNaN(score), "score must not be NaN but was %s", score);
  }

  /** A copy with other sample and offender indices (used when composing results). */
  DroppedSample withIndices(int newIndex, int newOffender) {
    return new DroppedSample(newIndex, reason, newOffender, score);
  }
}
