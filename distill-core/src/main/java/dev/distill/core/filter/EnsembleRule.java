package dev.distill.core.filter;

/**
 * How {@link ConfidenceFilter} combines an ensemble of proxies (the brief's pitfall 1: a biased
 * proxy biases what survives, so use several).
 *
 * @since 0.1.0
 */
public enum EnsembleRule {
  /**
   * The ensemble's probabilities are the mean of the members' softmax probabilities, and the
   * filter's {@link ConfidenceRule} is applied to them once (the default: one averaged judgement).
   */
  MEAN_PROBABILITY,
  /**
   * The rule is applied to each member; a sample is kept only if every member keeps it (the
   * ensemble must agree). The reported drop is the first member's, in ensemble order, that dropped.
   */
  UNANIMOUS
}
