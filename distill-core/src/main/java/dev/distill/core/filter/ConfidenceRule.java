package dev.distill.core.filter;

/**
 * Which proxy-confidence test {@link ConfidenceFilter} applies.
 *
 * @since 0.1.0
 */
public enum ConfidenceRule {
  /**
   * Drop a sample whose predicted probability for its own label is below the threshold (of its
   * label's class): the generated image does not look like its class to the proxy.
   */
  OWN_CLASS_BELOW_THRESHOLD,
  /**
   * Drop a sample whose predicted class differs from its label with a probability above the
   * threshold of the predicted class: ALIA's filter of "confidently wrong" edits (Dunlap et al.,
   * NeurIPS 2023, with cleanlab's per-class confident thresholds).
   */
  CONFIDENTLY_WRONG
}
