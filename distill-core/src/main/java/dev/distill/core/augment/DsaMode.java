package dev.distill.core.augment;

/**
 * How the transforms of a DSA strategy are combined.
 *
 * @since 0.1.0
 */
public enum DsaMode {
  /**
   * One transform of the strategy, drawn uniformly per batch, is applied (DSA's {@code aug_mode =
   * 'S'}, the default of the DSA/DM/MTT code and of their evaluators).
   */
  SINGLE,
  /** Every transform of the strategy is applied, in order (DSA's {@code aug_mode = 'M'}). */
  ALL
}
