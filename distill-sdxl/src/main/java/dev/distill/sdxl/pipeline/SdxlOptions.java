package dev.distill.sdxl.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Where and in which precision an SDXL pipeline runs.
 *
 * <p>{@code dtype} is used by the UNet and the text encoders; the VAE runs in {@code vaeDtype},
 * which is float32 whenever the VAE config says {@code force_upcast} (SDXL's VAE overflows in
 * fp16), as the reference pipeline does.
 *
 * @param device a LibTorch device name: {@code "cpu"}, {@code "cuda"}, {@code "cuda:1"}
 * @param dtype Float, Half or BFloat16
 * @param decodeScale the factor (1, 2, 4) by which ẑ0 is downsampled before the differentiable
 *     guidance decode, to bound the decoder's activation memory at large sizes (1 = exact)
 * @since 0.1.0
 */
public record SdxlOptions(String device, ScalarType dtype, int decodeScale) {
  /** Validates. */
  public SdxlOptions {
    checkNotNull(device, "device");
    checkNotNull(dtype, "dtype");
    checkArgument(
        dtype.value == ScalarType.Float.value
            || dtype.value == ScalarType.Half.value
            || dtype.value == ScalarType.BFloat16.value,
        "dtype must be Float, Half or BFloat16 but was %s",
        dtype);
    checkArgument(
        decodeScale == 1 || decodeScale == 2 || decodeScale == 4,
        "decodeScale must be 1, 2 or 4 but was %s",
        decodeScale);
  }

  /** fp32 on the CPU (the default, and what the parity fixtures use). */
  public static SdxlOptions cpu() {
    return new SdxlOptions("cpu", ScalarType.Float, 1);
  }

  /**
   * On the first CUDA device in a reduced precision.
   *
   * @param dtype Half or BFloat16 (Float also allowed)
   * @return the options
   */
  public static SdxlOptions cuda(ScalarType dtype) {
    return new SdxlOptions("cuda", dtype, 1);
  }

  /**
   * A copy with another guidance decode scale.
   *
   * @param decodeScale 1, 2 or 4
   * @return the copy
   */
  public SdxlOptions withDecodeScale(int decodeScale) {
    return new SdxlOptions(device, dtype, decodeScale);
  }

  /**
   * A copy with another dtype.
   *
   * @param dtype the dtype
   * @return the copy
   */
  public SdxlOptions withDtype(ScalarType dtype) {
    return new SdxlOptions(device, dtype, decodeScale);
  }
}
