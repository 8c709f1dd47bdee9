package dev.distill.sdxl.vae;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The latent distribution the VAE encoder predicts (diffusers' {@code
 * DiagonalGaussianDistribution}): {@code mean} and {@code logvar} are the two channel halves of the
 * encoder output, {@code logvar} clamped to {@code [-30, 20]}, {@code std = exp(logvar / 2)}.
 *
 * <p>The tensors belong to the scope that was current when {@link AutoencoderKL#encode} ran; this
 * record does not own them. The methods return new tensors in the caller's current scope.
 *
 * @param mean {@code [B, latent_channels, h, w]}
 * @param logvar same shape, clamped
 * @param std same shape
 * @since 0.1.0
 */
public record DiagonalGaussian(Tensor mean, Tensor logvar, Tensor std) {

  /** Validates. */
  public DiagonalGaussian {
    checkNotNull(mean, "mean");
    checkNotNull(logvar, "logvar");
    checkNotNull(std, "std");
  }

  /** The mode, i.e. the mean (diffusers' {@code mode()}); a new view in the caller's scope. */
  public Tensor mode() {
    return mean.alias();
  }

  /**
   * A sample {@code mean + std · ε}, {@code ε ~ N(0, 1)} drawn like diffusers' {@code randn_tensor}
   * with a CPU generator: on the CPU in the latents' dtype, then moved to their device.
   *
   * @param generator a CPU generator (advanced by the draw)
   * @return a new tensor in the caller's scope
   */
  public Tensor sample(Generator generator) {
    checkNotNull(generator, "generator");
    try (TensorScope scope = TensorScope.open()) {
      Tensor noise =
          torch.randn(
              Tensors.shape(mean),
              new GeneratorOptional(generator),
              new TensorOptions().dtype(new ScalarTypeOptional(mean.scalar_type())));
      return scope.keep(sample(noise.to(mean.device(), mean.scalar_type())));
    }
  }

  /**
   * A sample with given standard-normal noise: {@code mean + std · noise}.
   *
   * @param noise {@code ε}, the shape of {@code mean}
   * @return a new tensor in the caller's scope
   * @throws IllegalArgumentException if the noise has another shape
   */
  public Tensor sample(Tensor noise) {
    Tensors.checkShape(noise, "noise", Tensors.shape(mean));
    return mean.add(std.mul(noise));
  }
}
