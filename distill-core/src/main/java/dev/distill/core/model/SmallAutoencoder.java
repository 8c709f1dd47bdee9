package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The built-in small KL autoencoder: the latent space of the built-in latent diffusion model, a
 * miniature of SDXL's VAE.
 *
 * <p>{@link #encode} maps images {@code [N, C, H, W]} in {@code [-1, 1]} to latents {@code [N,
 * latentChannels, H/f, W/f]} (the posterior mean times the config's scaling factor, as diffusers'
 * pipelines do); {@link #decode} maps latents back to images (unclamped). Both are differentiable,
 * so guidance terms can take gradients through the decoder. Trained by {@link AutoencoderTrainer}
 * (reconstruction L1 plus a small KL term to the standard normal).
 *
 * <p>Functional: the parameters are a name → tensor map (float32, on the device of its {@link
 * DeviceOptions}), owned by this object and freed by {@link #close()}. The forward pass runs in the
 * device's compute dtype with GroupNorm in float32 and returns float32. Not thread-safe.
 *
 * @since 0.2.0
 */
public final class SmallAutoencoder implements AutoCloseable {
  private static final double LOGVAR_MIN = -30.0;
  private static final double LOGVAR_MAX = 20.0;

  private final SmallAutoencoderConfig config;
  private final Map<String, Tensor> params;
  private final DeviceOptions device;
  private boolean closed;

  private SmallAutoencoder(
      SmallAutoencoderConfig config, Map<String, Tensor> params, DeviceOptions device) {
    this.config = config;
    this.params = params;
    this.device = device;
  }

  /**
   * A freshly initialised autoencoder on a device (PyTorch's default uniform fan-in initialisation
   * of convolutions, GroupNorm weights 1 and biases 0; values drawn on the CPU, then moved).
   *
   * @param config the architecture
   * @param seed the initialisation seed
   * @param device where and in which precision it runs
   * @return the autoencoder, owning its parameters
   * @throws IllegalStateException if the device is not available
   */
  public static SmallAutoencoder initialize(
      SmallAutoencoderConfig config, long seed, DeviceOptions device) {
    checkNotNull(config, "config");
    checkNotNull(device, "device");
    device.checkAvailable();
    Map<String, Tensor> params =
        NamedTensors.initialize(
            parameterShapes(config),
            seed,
            device,
            name ->
                !name.contains("norm")
                    ? NamedTensors.Init.FAN_IN
                    : name.endsWith(".weight") ? NamedTensors.Init.ONES : NamedTensors.Init.ZEROS);
    return new SmallAutoencoder(config, params, device);
  }

  /**
   * Wraps loaded parameters on a device, checking that every expected name is present with the
   * right shape.
   *
   * @param config the architecture
   * @param tensors name → tensor (any device, any float dtype); copied to float32 on the device
   * @param device where and in which precision it runs
   * @return the autoencoder
   * @throws IllegalArgumentException if a parameter is missing, unexpected or misshaped (named)
   * @throws IllegalStateException if the device is not available
   */
  public static SmallAutoencoder fromTensors(
      SmallAutoencoderConfig config, Map<String, Tensor> tensors, DeviceOptions device) {
    checkNotNull(config, "config");
    checkNotNull(tensors, "tensors");
    checkNotNull(device, "device");
    device.checkAvailable();
    Map<String, Tensor> params = NamedTensors.checkedCopy(parameterShapes(config), tensors, device);
    return new SmallAutoencoder(config, params, device);
  }

  /**
   * Loads parameters from a safetensors file onto a device.
   *
   * @param config the architecture
   * @param file the weights
   * @param device where and in which precision it runs
   * @return the autoencoder
   * @throws IOException if the file cannot be read or is not a valid safetensors file
   * @throws IllegalArgumentException if the weights do not fit the config
   */
  public static SmallAutoencoder load(
      SmallAutoencoderConfig config, Path file, DeviceOptions device) throws IOException {
    checkNotNull(file, "file");
    checkNotNull(device, "device");
    return NamedTensors.load(file, m -> fromTensors(config, m, device));
  }

  /**
   * Saves the parameters to a safetensors file (atomically).
   *
   * @param file the destination
   * @param metadata string metadata stored in the header
   * @throws IOException if writing fails
   */
  public void save(Path file, Map<String, String> metadata) throws IOException {
    checkOpen();
    Safetensors.write(file, params, metadata);
  }

  /**
   * A copy of this autoencoder (parameters cloned) whose config has another scaling factor.
   *
   * @param scalingFactor the new factor, finite and {@code > 0}
   * @return a new autoencoder (close it)
   */
  public SmallAutoencoder withScalingFactor(double scalingFactor) {
    checkOpen();
    return fromTensors(config.withScalingFactor(scalingFactor), params, device);
  }

  /** The architecture. */
  public SmallAutoencoderConfig config() {
    return config;
  }

  /** Where and in which precision this autoencoder runs. */
  public DeviceOptions deviceOptions() {
    return device;
  }

  /** The parameters by name (unmodifiable; owned by this object: do not close them). */
  public Map<String, Tensor> parameters() {
    checkOpen();
    return Collections.unmodifiableMap(params);
  }

  /** The total number of scalar parameters. */
  public long parameterCount() {
    return params.values().stream().mapToLong(Tensor::numel).sum();
  }

  /**
   * Turns gradient tracking of every parameter on or off.
   *
   * @param requiresGrad whether the parameters require grad
   */
  public void requiresGrad(boolean requiresGrad) {
    checkOpen();
    for (Tensor p : params.values()) {
      p.requires_grad_(requiresGrad);
    }
  }

  /**
   * Copies another autoencoder's parameter values into this one (same architecture), without
   * gradient.
   *
   * @param other the source
   */
  public void copyFrom(SmallAutoencoder other) {
    checkOpen();
    checkArgument(
        other.config.channels().equals(config.channels())
            && other.config.latentChannels() == config.latentChannels(),
        "other must have the architecture of %s but had %s",
        config,
        other.config);
    try (TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        e.getValue().copy_(other.params.get(e.getKey()));
      }
    }
  }

  /**
   * Encodes images to latents: the posterior mean times the scaling factor.
   *
   * @param images {@code [N, imageChannels, imageSize, imageSize]} in {@code [-1, 1]}, on this
   *     autoencoder's device
   * @return latents {@code [N, latentChannels, latentSize, latentSize]} float32, owned by the
   *     caller's current scope
   * @throws IllegalArgumentException if the shape differs (named) or the images are on another
   *     device
   */
  public Tensor encode(Tensor images) {
    try (TensorScope s = TensorScope.open()) {
      Tensor mean = moments(images).narrow(1, 0, config.latentChannels());
      return s.keep(mean.mul(Tensors.scalar(config.scalingFactor())));
    }
  }

  /**
   * Decodes latents to images.
   *
   * @param latents {@code [N, latentChannels, latentSize, latentSize]} (scaled by the scaling
   *     factor, as {@link #encode} returns them), on this autoencoder's device
   * @return images {@code [N, imageChannels, imageSize, imageSize]} float32 in about {@code [-1,
   *     1]} (not clamped), owned by the caller's current scope
   * @throws IllegalArgumentException if the shape differs (named)
   */
  public Tensor decode(Tensor latents) {
    try (TensorScope s = TensorScope.open()) {
      return s.keep(decodeUnscaled(latents.div(Tensors.scalar(config.scalingFactor()))));
    }
  }

  /**
   * The posterior's mean and log-variance (clamped to [-30, 20] as diffusers does), concatenated on
   * the channel axis.
   *
   * @param images {@code [N, imageChannels, imageSize, imageSize]} on this device
   * @return {@code [N, 2·latentChannels, latentSize, latentSize]} float32, unscaled
   */
  Tensor moments(Tensor images) {
    checkOpen();
    int size = config.imageSize();
    Tensors.checkShape(images, "images", -1, config.imageChannels(), size, size);
    device.checkOn(images, "images");
    try (TensorScope s = TensorScope.open()) {
      int patch = config.patchSize();
      Tensor x = device.compute(images);
      Tensor h = conv(patch > 1 ? torch.pixel_unshuffle(x, patch) : x, "enc.conv_in", 1);
      int levels = config.levels();
      for (int l = 0; l < levels; l++) {
        for (int i = 0; i < config.resBlocksPerLevel(); i++) {
          h = resBlock(h, "enc.down." + l + ".res." + i);
        }
        if (l < levels - 1) {
          h = conv(h, "enc.down." + l + ".downsample", 2);
        }
      }
      h = resBlock(h, "enc.mid.res.0");
      h = torch.silu(groupNorm(h, "enc.norm_out"));
      Tensor out = conv(h, "enc.conv_out", 1).to(ScalarType.Float);
      int c = config.latentChannels();
      Tensor mean = out.narrow(1, 0, c);
      Tensor logvar =
          out.narrow(1, c, c)
              .clamp(
                  new ScalarOptional(Tensors.scalar(LOGVAR_MIN)),
                  new ScalarOptional(Tensors.scalar(LOGVAR_MAX)));
      return s.keep(torch.cat(new org.bytedeco.pytorch.TensorVector(mean, logvar), 1));
    }
  }

  /** Decodes unscaled latents z (posterior samples). */
  Tensor decodeUnscaled(Tensor z) {
    checkOpen();
    int ls = config.latentSize();
    Tensors.checkShape(z, "latents", -1, config.latentChannels(), ls, ls);
    device.checkOn(z, "latents");
    try (TensorScope s = TensorScope.open()) {
      Tensor h = conv(device.compute(z), "dec.conv_in", 1);
      h = resBlock(h, "dec.mid.res.0");
      for (int l = config.levels() - 1; l >= 0; l--) {
        for (int i = 0; i < config.resBlocksPerLevel(); i++) {
          h = resBlock(h, "dec.up." + l + ".res." + i);
        }
        if (l > 0) {
          h = torch.upsample_nearest2d(h, h.size(2) * 2, h.size(3) * 2);
          h = conv(h, "dec.up." + l + ".upsample", 1);
        }
      }
      h = torch.silu(groupNorm(h, "dec.norm_out"));
      Tensor out = conv(h, "dec.conv_out", 1);
      int patch = config.patchSize();
      out = patch > 1 ? torch.pixel_shuffle(out, patch) : out;
      return s.keep(out.to(ScalarType.Float));
    }
  }

  private Tensor resBlock(Tensor x, String name) {
    Tensor h = torch.silu(groupNorm(x, name + ".norm1"));
    h = conv(h, name + ".conv1", 1);
    h = torch.silu(groupNorm(h, name + ".norm2"));
    h = conv(h, name + ".conv2", 1);
    Tensor skip = params.containsKey(name + ".skip.weight") ? conv(x, name + ".skip", 1) : x;
    return skip.add(h);
  }

  private Tensor conv(Tensor x, String name, int stride) {
    return NamedTensors.conv(
        x, device.compute(p(name + ".weight")), device.compute(p(name + ".bias")), stride);
  }

  private Tensor groupNorm(Tensor x, String name) {
    return NamedTensors.groupNorm(
        x, config.normGroups(), p(name + ".weight"), p(name + ".bias"), 1e-6, device);
  }

  private Tensor p(String name) {
    Tensor t = params.get(name);
    checkState(t != null, "parameter %s must exist but does not", name);
    return t;
  }

  /**
   * The names and shapes of every parameter of a config, in a fixed order.
   *
   * @param config the architecture
   * @return name → shape
   */
  static Map<String, int[]> parameterShapes(SmallAutoencoderConfig config) {
    Map<String, int[]> m = new LinkedHashMap<>();
    int levels = config.levels();
    int c0 = config.channels().get(0);
    int last = config.channels().get(levels - 1);
    int patchChannels = config.imageChannels() * config.patchSize() * config.patchSize();
    NamedTensors.convShape(m, "enc.conv_in", patchChannels, c0, 3);
    int ch = c0;
    for (int l = 0; l < levels; l++) {
      int out = config.channels().get(l);
      for (int i = 0; i < config.resBlocksPerLevel(); i++) {
        resShape(m, "enc.down." + l + ".res." + i, ch, out);
        ch = out;
      }
      if (l < levels - 1) {
        NamedTensors.convShape(m, "enc.down." + l + ".downsample", ch, ch, 3);
      }
    }
    resShape(m, "enc.mid.res.0", ch, ch);
    NamedTensors.normShape(m, "enc.norm_out", ch);
    NamedTensors.convShape(m, "enc.conv_out", ch, 2 * config.latentChannels(), 3);
    NamedTensors.convShape(m, "dec.conv_in", config.latentChannels(), last, 3);
    ch = last;
    resShape(m, "dec.mid.res.0", ch, ch);
    for (int l = levels - 1; l >= 0; l--) {
      int out = config.channels().get(l);
      for (int i = 0; i < config.resBlocksPerLevel(); i++) {
        resShape(m, "dec.up." + l + ".res." + i, ch, out);
        ch = out;
      }
      if (l > 0) {
        NamedTensors.convShape(m, "dec.up." + l + ".upsample", ch, ch, 3);
      }
    }
    NamedTensors.normShape(m, "dec.norm_out", ch);
    NamedTensors.convShape(m, "dec.conv_out", ch, patchChannels, 3);
    return m;
  }

  private static void resShape(Map<String, int[]> m, String name, int in, int out) {
    NamedTensors.normShape(m, name + ".norm1", in);
    NamedTensors.convShape(m, name + ".conv1", in, out, 3);
    NamedTensors.normShape(m, name + ".norm2", out);
    NamedTensors.convShape(m, name + ".conv2", out, out, 3);
    if (in != out) {
      NamedTensors.convShape(m, name + ".skip", in, out, 1);
    }
  }

  private void checkOpen() {
    checkState(!closed, "SmallAutoencoder must be open but was closed");
  }

  /** Frees the parameters. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      params.values().forEach(Tensor::close);
    }
  }
}
