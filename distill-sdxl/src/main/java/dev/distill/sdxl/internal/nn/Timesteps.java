package dev.distill.sdxl.internal.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The sinusoidal timestep embedding of diffusers' {@code get_timestep_embedding} (module {@code
 * Timesteps}), computed in float32 whatever the input dtype, as diffusers does.
 *
 * <p>{@code freq_i = exp(-ln(10000)·i / (dim/2 - shift))}, {@code emb = [sin(t·freq),
 * cos(t·freq)]}, the halves swapped to {@code [cos, sin]} when {@code flipSinToCos}, and one zero
 * column appended for an odd {@code dim}. Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class Timesteps {
  private static final double MAX_PERIOD = 10000.0;

  private Timesteps() {}

  /**
   * Embeds timesteps.
   *
   * @param timesteps {@code [N]}, any real dtype (converted to float32)
   * @param dim the embedding width
   * @param flipSinToCos whether the cosine half comes first
   * @param downscaleFreqShift diffusers' {@code downscale_freq_shift} ({@code freq_shift})
   * @return {@code [N, dim]} float32 on the device of {@code timesteps}, in the caller's scope
   * @throws IllegalArgumentException if {@code timesteps} is not 1-D or {@code dim < 2}
   */
  public static Tensor embed(
      Tensor timesteps, long dim, boolean flipSinToCos, double downscaleFreqShift) {
    checkNotNull(timesteps, "timesteps");
    checkArgument(
        timesteps.dim() == 1, "timesteps must be 1-D but had %s dims", (Long) timesteps.dim());
    checkArgument(dim >= 2, "dim must be >= 2 but was %s", dim);
    long half = dim / 2;
    checkArgument(
        half - downscaleFreqShift != 0,
        "freq_shift must differ from dim/2 = %s but was %s",
        (Long) half,
        (Double) downscaleFreqShift);
    try (TensorScope scope = TensorScope.open()) {
      TensorOptions options =
          new TensorOptions()
              .dtype(new ScalarTypeOptional(ScalarType.Float))
              .device(new DeviceOptional(timesteps.device()));
      Tensor exponent =
          torch
              .arange(new Scalar(half), options)
              .mul(new Scalar(-Math.log(MAX_PERIOD)))
              .div(new Scalar(half - downscaleFreqShift));
      Tensor args =
          timesteps.to(ScalarType.Float).unsqueeze(1).mul(torch.exp(exponent).unsqueeze(0));
      Tensor sin = torch.sin(args);
      Tensor cos = torch.cos(args);
      Tensor emb =
          flipSinToCos
              ? torch.cat(new TensorVector(cos, sin), 1)
              : torch.cat(new TensorVector(sin, cos), 1);
      if (dim % 2 == 1) {
        emb = torch.constant_pad_nd(emb, 0, 1, 0, 0);
      }
      return scope.keep(emb);
    }
  }
}
