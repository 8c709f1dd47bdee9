package dev.distill.sdxl.text;

import static org.bytedeco.pytorch.global.torch.gelu;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The MLP activations CLIP text encoders use ({@code hidden_act} in {@code config.json}).
 *
 * @since 0.1.0
 */
public enum ClipActivation {
  /** {@code "gelu"}: the exact (erf) GELU; OpenCLIP ViT-bigG (SDXL's {@code text_encoder_2}). */
  GELU("gelu"),
  /**
   * {@code "quick_gelu"}: {@code x * sigmoid(1.702 x)}; OpenAI CLIP ViT-L (SDXL's {@code
   * text_encoder}).
   */
  QUICK_GELU("quick_gelu");

  private final String configName;

  ClipActivation(String configName) {
    this.configName = configName;
  }

  /** The name used in transformers' {@code config.json}. */
  public String configName() {
    return configName;
  }

  /**
   * Parses a {@code hidden_act} value.
   *
   * @param name the config value
   * @return the activation
   * @throws IllegalArgumentException for any other activation
   */
  public static ClipActivation fromConfig(String name) {
    for (ClipActivation a : values()) {
      if (a.configName.equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "hidden_act must be one of \"gelu\", \"quick_gelu\" but was \"" + name + "\"");
  }

  /**
   * Applies the activation.
   *
   * @param x any tensor
   * @return a new tensor in the caller's scope
   */
  Tensor apply(Tensor x) {
    return switch (this) {
      case GELU -> gelu(x);
      case QUICK_GELU -> x.mul(x.mul(new Scalar(1.702)).sigmoid());
    };
  }
}
