package dev.distill.task.metric;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.annotation.BoundingBox;

/**
 * One predicted object: a category, a box in pixels and a confidence score.
 *
 * @param categoryId the predicted category id
 * @param box the predicted box, in the pixels of the image it belongs to
 * @param score the confidence, finite (higher = more confident; any scale)
 * @since 0.1.0
 */
public record Detection(int categoryId, BoundingBox box, double score) {
  /** Validates. */
  public Detection {
    checkNotNull(box, "box");
    checkArgument(Double.isFinite(score), "score must be finite but was %s", score);
  }

  /**
   * A detection.
   *
   * @param categoryId the category id
   * @param box the box
   * @param score the score
   * @return the detection
   */
  public static Detection of(int categoryId, BoundingBox box, double score) {
    return new Detection(categoryId, box, score);
  }
}
