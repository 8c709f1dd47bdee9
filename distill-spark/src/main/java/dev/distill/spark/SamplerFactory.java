package dev.distill.spark;

import dev.distill.core.tensor.DeviceOptions;
import java.io.IOException;
import java.io.Serializable;

/**
 * Builds the generator of a recipe inside an executor JVM.
 *
 * <p>Implementations are small serializable value types (records): their {@code equals}/{@code
 * hashCode} is the key of the per-JVM sampler cache, so two recipes with equal factories share
 * loaded weights. Built-in ones are in {@link SamplerFactories}; a factory for any other model only
 * has to return a {@link LoadedSampler}.
 *
 * @since 0.1.0
 */
public interface SamplerFactory extends Serializable {
  /**
   * Loads the model on a device.
   *
   * @param device the device and dtype the task resolved (see {@link DeviceChoice})
   * @return the loaded sampler; whoever loads it closes it
   * @throws IOException if weights cannot be read
   */
  LoadedSampler load(DeviceOptions device) throws IOException;

  /**
   * The compute dtype the model wants (combined with the task's device).
   *
   * @return the dtype
   */
  org.bytedeco.pytorch.global.torch.ScalarType dtype();
}
