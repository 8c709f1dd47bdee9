package dev.distill.sdxl.vae;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.config.JsonConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.internal.nn.Conv2d;
import dev.distill.sdxl.internal.nn.ModelWeights;
import dev.distill.sdxl.internal.nn.ScalarTypes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The KL autoencoder (VAE) of Stable Diffusion / SDXL, a port of diffusers v0.27's {@code
 * AutoencoderKL} on LibTorch: {@link #encode} images to a {@link DiagonalGaussian} over latents,
 * {@link #decode} latents to images.
 *
 * <p>The structure comes only from {@code vae/config.json} ({@link VaeConfig#from}); weights are
 * shape-checked and must all be used. The mid-block attention accepts both the current weight names
 * and the legacy {@code query/key/value/proj_attn}, stored as matrices or 1×1 kernels.
 *
 * <p>Neither method disables autograd: {@link #decode} is differentiable so that guidance can
 * backpropagate a loss on the decoded image to the latents; wrap calls in a {@code NoGradGuard} for
 * plain inference. Latents are not scaled here: pipelines divide by {@link #scalingFactor()} before
 * decoding and multiply after encoding. SDXL's VAE overflows in float16 ({@link #forceUpcast()});
 * load it in float32 (or bfloat16) then.
 *
 * <p>Owns its weights: close it when done. The methods only read the weights, so calls from several
 * threads are safe.
 *
 * @since 0.1.0
 */
public final class AutoencoderKL implements AutoCloseable {
  private final VaeConfig config;
  private final ModelWeights weights;
  private final ScalarType dtype;
  private final String deviceName;
  private final VaeCoders.Encoder encoder;
  private final Conv2d quantConv;
  private final Conv2d postQuantConv;
  private final VaeCoders.Decoder decoder;

  private AutoencoderKL(VaeConfig config, ModelWeights weights) {
    this.config = config;
    this.weights = weights;
    Tensor probe =
        weights.get(
            "decoder.conv_in.weight",
            config.blockOutChannels().get(config.numBlocks() - 1),
            config.latentChannels(),
            3,
            3);
    this.dtype = ScalarTypes.canonical(probe.scalar_type());
    try (TensorScope scope = TensorScope.open()) {
      this.deviceName = probe.device().str().getString();
    }
    long latent = config.latentChannels();
    this.encoder = VaeCoders.Encoder.load(weights, config);
    this.quantConv =
        config.useQuantConv()
            ? Conv2d.load(weights, "quant_conv", 2 * latent, 2 * latent, 1, 1, 0)
            : null;
    this.postQuantConv =
        config.usePostQuantConv()
            ? Conv2d.load(weights, "post_quant_conv", latent, latent, 1, 1, 0)
            : null;
    this.decoder = VaeCoders.Decoder.load(weights, config);
    weights.checkAllUsed();
  }

  /**
   * Loads a VAE from a diffusers component folder ({@code config.json} and safetensors weights).
   *
   * @param dir the folder, e.g. {@code <pipeline>/vae}
   * @param dtype the dtype to run in (float32 by default; see {@link #forceUpcast()})
   * @param device the device to run on
   * @return the model; the caller closes it
   * @throws IOException if the config or weights cannot be read, or only pickle checkpoints exist
   * @throws IllegalArgumentException if the config is unsupported or disagrees with the weights
   */
  public static AutoencoderKL load(Path dir, ScalarType dtype, Device device) throws IOException {
    checkNotNull(dir, "dir");
    checkNotNull(dtype, "dtype");
    checkNotNull(device, "device");
    VaeConfig config = VaeConfig.from(JsonConfig.read(dir.resolve("config.json")));
    return of(config, ModelWeights.load(dir, dtype, device));
  }

  /**
   * Builds a VAE from a config and weights; takes ownership of {@code weights}, also when it fails
   * (they are then closed).
   *
   * @param config the architecture
   * @param weights the weights, all in one floating-point dtype on one device
   * @return the model; the caller closes it
   * @throws IllegalArgumentException if a weight is missing, has another shape, or is unused
   */
  public static AutoencoderKL of(VaeConfig config, ModelWeights weights) {
    checkNotNull(config, "config");
    checkNotNull(weights, "weights");
    try {
      return new AutoencoderKL(config, weights);
    } catch (RuntimeException e) {
      weights.close();
      throw e;
    }
  }

  /**
   * Encodes images to the latent distribution (diffusers' {@code encode(x).latent_dist}).
   *
   * @param images {@code [B, in_channels, H, W]} in {@code [-1, 1]}, in the model's dtype and on
   *     its device; every downsampling stage needs at least 2 pixels, so {@code H, W >= 2^(blocks -
   *     1)}
   * @return mean, clamped logvar and std, {@code [B, latent_channels, h, w]} with {@code h = H /
   *     2^(blocks-1)} (rounded down per stage), new tensors in the caller's current scope
   * @throws IllegalArgumentException if the images have the wrong rank, channels, size, dtype or
   *     device
   */
  public DiagonalGaussian encode(Tensor images) {
    checkModelInput(images, "images", config.inChannels());
    long minSize = config.downsamplingFactor();
    checkArgument(
        images.size(2) >= minSize && images.size(3) >= minSize,
        "images must be at least %s x %s pixels (one per latent pixel after %s halvings) but had"
            + " shape %s",
        minSize,
        minSize,
        config.numBlocks() - 1,
        Arrays.toString(Tensors.shape(images)));
    try (TensorScope scope = TensorScope.open()) {
      Tensor h = encoder.forward(images);
      if (quantConv != null) {
        h = quantConv.forward(h);
      }
      long latent = config.latentChannels();
      Tensor mean = h.narrow(1, 0, latent);
      Tensor logvar =
          torch.clamp(
              h.narrow(1, latent, latent),
              new ScalarOptional(new Scalar(-30.0)),
              new ScalarOptional(new Scalar(20.0)));
      Tensor std = logvar.mul(new Scalar(0.5)).exp();
      return new DiagonalGaussian(scope.keep(mean), scope.keep(logvar), scope.keep(std));
    }
  }

  /**
   * Decodes latents to images (diffusers' {@code decode(z).sample}; no scaling applied).
   *
   * @param latents {@code [B, latent_channels, h, w]} in the model's dtype and on its device
   * @return {@code [B, out_channels, h·2^(blocks-1), w·2^(blocks-1)]}, roughly in {@code [-1, 1]}
   *     (not clamped), a new tensor in the caller's current scope; differentiable
   * @throws IllegalArgumentException if the latents have the wrong rank, channels, dtype or device
   */
  public Tensor decode(Tensor latents) {
    checkModelInput(latents, "latents", config.latentChannels());
    try (TensorScope scope = TensorScope.open()) {
      Tensor z = postQuantConv != null ? postQuantConv.forward(latents) : latents;
      return scope.keep(decoder.forward(z));
    }
  }

  private void checkModelInput(Tensor t, String name, long channels) {
    checkNotNull(t, name);
    Tensors.checkShape(t, name, -1, channels, -1, -1);
    checkArgument(
        t.size(0) > 0 && t.size(2) > 0 && t.size(3) > 0,
        "%s must have a non-empty batch, height and width but had shape %s",
        name,
        Arrays.toString(Tensors.shape(t)));
    checkArgument(
        t.scalar_type().value == dtype.value,
        "%s must have the model dtype %s but was %s",
        name,
        dtype,
        t.scalar_type());
    try (TensorScope scope = TensorScope.open()) {
      String actual = t.device().str().getString();
      checkArgument(
          actual.equals(deviceName),
          "%s must be on the model device %s but was on %s",
          name,
          deviceName,
          actual);
    }
  }

  /** The latent scaling factor pipelines apply ({@code scaling_factor}; SDXL 0.13025). */
  public double scalingFactor() {
    return config.scalingFactor();
  }

  /** Whether pipelines must run this VAE in float32 rather than float16 ({@code force_upcast}). */
  public boolean forceUpcast() {
    return config.forceUpcast();
  }

  /** The architecture. */
  public VaeConfig config() {
    return config;
  }

  /** The dtype the weights are held and computed in. */
  public ScalarType dtype() {
    return dtype;
  }

  /** The device name the model runs on (e.g. {@code "cpu"}). */
  public String deviceName() {
    return deviceName;
  }

  /** The weights (owned by this model). */
  public ModelWeights weights() {
    return weights;
  }

  @Override
  public void close() {
    weights.close();
  }
}
