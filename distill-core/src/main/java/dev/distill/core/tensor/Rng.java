package dev.distill.core.tensor;

import static com.google.common.base.Preconditions.checkArgument;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Seeded random tensors from LibTorch's CPU generator (mt19937, the same generator as PyTorch's CPU
 * {@code torch.Generator}), so a seed gives the same noise on every machine.
 *
 * <p>Noise is always drawn on the CPU in float32 and then moved, as diffusers' {@code randn_tensor}
 * does with a CPU generator, so results do not depend on the device. Stateless and thread-safe;
 * each call makes its own generator.
 *
 * @since 0.1.0
 */
public final class Rng {
  private Rng() {}

  /**
   * Standard normal noise.
   *
   * @param seed the generator seed
   * @param shape the shape
   * @return a new float32 CPU tensor owned by the caller's scope
   */
  public static Tensor normal(long seed, long... shape) {
    checkArgument(shape.length > 0, "shape must not be empty");
    try (TensorScope scope = TensorScope.open()) {
      Generator g = torch.createCPUGenerator(seed);
      Tensor t = torch.randn(shape, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
      return scope.keep(t);
    }
  }

  /**
   * A stream of noise tensors from one seeded generator (for schedulers that draw at every step).
   *
   * @param seed the seed
   * @return the stream; close it when the run ends
   */
  public static Stream stream(long seed) {
    return new Stream(seed);
  }

  /** A seeded generator that draws successive tensors; not thread-safe. */
  public static final class Stream implements AutoCloseable {
    private final Generator generator;

    private Stream(long seed) {
      try (TensorScope scope = TensorScope.open()) {
        this.generator = scope.detach(torch.createCPUGenerator(seed));
      }
    }

    /**
     * The next standard normal tensor.
     *
     * @param shape its shape
     * @return a new float32 CPU tensor owned by the caller's scope
     */
    public Tensor normal(long... shape) {
      return torch.randn(
          shape, new GeneratorOptional(generator), new TensorOptions(ScalarType.Float));
    }

    @Override
    public void close() {
      generator.close();
    }
  }
}
