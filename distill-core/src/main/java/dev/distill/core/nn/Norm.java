package dev.distill.core.nn;

/**
 * The normalisation layer after each convolution.
 *
 * @since 0.1.0
 */
public enum Norm {
  /**
   * Instance norm with a learned per-channel affine, implemented as {@code GroupNorm(C, C)}: the
   * DC/DSA/MTT {@code 'instancenorm'}. Has no running statistics, so training and inference agree.
   */
  INSTANCE,
  /** Batch norm with running statistics (momentum 0.1, eps 1e-5), as {@code nn.BatchNorm2d}. */
  BATCH,
  /** No normalisation. */
  NONE
}
