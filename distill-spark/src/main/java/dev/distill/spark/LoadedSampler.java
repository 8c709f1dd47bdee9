package dev.distill.spark;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistillException;
import dev.distill.api.Sampler;

/**
 * A sampler and the object that owns its weights.
 *
 * <p>Closing it closes the owner. Not thread-safe (like the samplers themselves): the executor
 * cache lends one instance to one task at a time.
 *
 * @param sampler the sampler
 * @param owner what holds the weights (a model or pipeline), closed by {@link #close()}
 * @since 0.1.0
 */
public record LoadedSampler(Sampler sampler, AutoCloseable owner) implements AutoCloseable {
  /** Validates. */
  public LoadedSampler {
    checkNotNull(sampler, "sampler");
    checkNotNull(owner, "owner");
  }

  @Override
  public void close() {
    try {
      owner.close();
    } catch (Exception e) {
      throw new DistillException("closing the model of " + sampler.modelId() + " failed", e);
    }
  }
}
