package dev.distill.core.eval;

/**
 * The optimiser of a training run.
 *
 * @since 0.1.0
 */
public enum OptimizerKind {
  /** SGD with (heavy-ball) momentum and L2 weight decay, as {@code torch.optim.SGD}. */
  SGD,
  /** Adam with L2 weight decay added to the gradient, as {@code torch.optim.Adam}. */
  ADAM
}
