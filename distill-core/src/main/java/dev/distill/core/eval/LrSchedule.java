package dev.distill.core.eval;

/**
 * How the learning rate changes over the epochs of a training run.
 *
 * @since 0.1.0
 */
public enum LrSchedule {
  /** The same rate throughout. */
  CONSTANT,
  /**
   * The rate is multiplied by the decay factor at half the epochs and the optimiser is rebuilt
   * (momentum reset), as DC/DSA's {@code evaluate_synset}.
   */
  STEP_HALF,
  /** Cosine annealing from the rate to 0, updated every epoch. */
  COSINE
}
