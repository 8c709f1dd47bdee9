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
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A small class-conditional UNet for pixel-space diffusion (DDPM-style), written functionally on
 * LibTorch ops over a name → tensor parameter map.
 *
 * <p>Layout: optional folding of {@code patchSize × patchSize} pixel patches into channels (pixel
 * unshuffle), a 3×3 input convolution; per level {@code l} {@code resBlocksPerLevel} residual
 * blocks (GroupNorm, SiLU, 3×3 conv, + projected time/class embedding, GroupNorm, SiLU, 3×3 conv)
 * and a stride-2 downsampling convolution between levels; a middle block (residual, optional
 * single-head self-attention, residual) at the lowest resolution; the mirror path with nearest
 * upsampling and one skip concatenation per level; GroupNorm, SiLU and a 3×3 output convolution,
 * unfolded back to pixels. The timestep enters as a sinusoidal embedding through a two-layer MLP;
 * the class as a learned embedding with an extra NULL row ({@link SmallUNetConfig#nullClass()}) for
 * classifier-free guidance. Both are summed.
 *
 * <p>Runs on the device and in the precision of its {@link DeviceOptions} (CPU/float32 by default):
 * the parameters are float32 on that device; with a reduced dtype each forward casts the weights
 * and activations of convolutions, linear layers and the attention matmuls to it, runs GroupNorm
 * and softmax in float32 and returns a float32 prediction (mixed precision, see {@link
 * DeviceOptions}).
 *
 * <p>Owns its parameter tensors (float32, on its device) and frees them on {@link #close()}.
 * Forward calls are thread-confined like every {@link TensorScope} use; do not call {@link
 * #forward} concurrently with {@link #close()}.
 *
 * @since 0.1.0
 */
public final class SmallUNet implements AutoCloseable {
  private final SmallUNetConfig config;
  private final Map<String, Tensor> params;
  private final DeviceOptions device;
  private boolean closed;

  private SmallUNet(SmallUNetConfig config, Map<String, Tensor> params, DeviceOptions device) {
    this.config = config;
    this.params = params;
    this.device = device;
  }

  /**
   * A freshly initialised network (PyTorch's default uniform fan-in initialisation, zero
   * initialisation of each residual branch's last convolution and of the output convolution).
   *
   * @param config the architecture
   * @param seed the initialisation seed
   * @return the network, owning its parameters
   */
  public static SmallUNet initialize(SmallUNetConfig config, long seed) {
    return initialize(config, seed, DeviceOptions.cpu());
  }

  /**
   * A freshly initialised network on a device: the values are drawn on the CPU (the same as {@link
   * #initialize(SmallUNetConfig, long)}) and moved.
   *
   * @param config the architecture
   * @param seed the initialisation seed
   * @param device where and in which precision the network runs
   * @return the network, owning its parameters
   * @throws IllegalStateException if the device is not available
   */
  public static SmallUNet initialize(SmallUNetConfig config, long seed, DeviceOptions device) {
    checkNotNull(config, "config");
    checkNotNull(device, "device");
    device.checkAvailable();
    Map<String, Tensor> params =
        NamedTensors.initialize(parameterShapes(config), seed, device, SmallUNet::initRule);
    return new SmallUNet(config, params, device);
  }

  private static NamedTensors.Init initRule(String name) {
    if (name.endsWith("norm.weight")
        || name.contains("norm1.weight")
        || name.contains("norm2.weight")
        || name.equals("norm_out.weight")) {
      return NamedTensors.Init.ONES;
    }
    if (name.contains("norm") || isZeroInit(name)) {
      return NamedTensors.Init.ZEROS; // GroupNorm biases; residual branch ends start at zero
    }
    return name.equals("class_embedding.weight")
        ? NamedTensors.Init.NORMAL
        : NamedTensors.Init.FAN_IN;
  }

  private static boolean isZeroInit(String name) {
    return name.endsWith("conv2.weight")
        || name.endsWith("conv2.bias")
        || name.startsWith("conv_out.")
        || name.startsWith("mid.attn.proj.");
  }

  /**
   * Wraps loaded parameters, checking that every expected name is present with the right shape.
   *
   * @param config the architecture
   * @param tensors name → tensor; copied to float32 and detached from every scope
   * @return the network
   * @throws IllegalArgumentException if a parameter is missing, unexpected or misshaped
   */
  public static SmallUNet fromTensors(SmallUNetConfig config, Map<String, Tensor> tensors) {
    return fromTensors(config, tensors, DeviceOptions.cpu());
  }

  /**
   * Wraps loaded parameters on a device, checking that every expected name is present with the
   * right shape.
   *
   * @param config the architecture
   * @param tensors name → tensor (any device, any float dtype); copied to float32 on the device
   * @param device where and in which precision the network runs
   * @return the network
   * @throws IllegalArgumentException if a parameter is missing, unexpected or misshaped
   * @throws IllegalStateException if the device is not available
   */
  public static SmallUNet fromTensors(
      SmallUNetConfig config, Map<String, Tensor> tensors, DeviceOptions device) {
    checkNotNull(config, "config");
    checkNotNull(tensors, "tensors");
    checkNotNull(device, "device");
    device.checkAvailable();
    Map<String, Tensor> params = NamedTensors.checkedCopy(parameterShapes(config), tensors, device);
    return new SmallUNet(config, params, device);
  }

  /**
   * Loads parameters from a safetensors file.
   *
   * @param config the architecture
   * @param file the weights
   * @return the network
   * @throws IOException if the file cannot be read
   */
  public static SmallUNet load(SmallUNetConfig config, Path file) throws IOException {
    return load(config, file, DeviceOptions.cpu());
  }

  /**
   * Loads parameters from a safetensors file onto a device.
   *
   * @param config the architecture
   * @param file the weights
   * @param device where and in which precision the network runs
   * @return the network
   * @throws IOException if the file cannot be read
   */
  public static SmallUNet load(SmallUNetConfig config, Path file, DeviceOptions device)
      throws IOException {
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

  /** The architecture. */
  public SmallUNetConfig config() {
    return config;
  }

  /** Where and in which precision this network runs. */
  public DeviceOptions deviceOptions() {
    return device;
  }

  /**
   * The parameters by name, in a fixed order (unmodifiable; the tensors are owned by this network:
   * do not close them).
   *
   * @return the parameters
   */
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
   * Copies another network's parameter values into this one (same config), without gradient.
   *
   * @param other the source
   */
  public void copyFrom(SmallUNet other) {
    checkOpen();
    checkArgument(
        other.config.equals(config), "other must have config %s but had %s", config, other.config);
    try (TensorScope s = TensorScope.open();
        org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        e.getValue().copy_(other.params.get(e.getKey()));
      }
    }
  }

  /**
   * Predicts the model output (ε or v) for noisy images.
   *
   * @param x noisy images {@code [N, C, H, W]}, float, on this network's device
   * @param timesteps model timesteps {@code [N]} (any float or integer dtype, any device: moved)
   * @param classIds class indices {@code [N]} int64 in {@code [0, numClasses]} (numClasses = NULL;
   *     any device: moved)
   * @return the prediction {@code [N, C, H, W]} float32 on this network's device, owned by the
   *     caller's current scope
   * @throws IllegalArgumentException if the shapes do not fit the config or {@code x} is on another
   *     device
   */
  public Tensor forward(Tensor x, Tensor timesteps, Tensor classIds) {
    return forward(x, timesteps, classIds, null);
  }

  /**
   * Predicts the model output with a spatial condition (e.g. a {@link LayoutMap}) concatenated to
   * the input channels.
   *
   * @param x noisy images {@code [N, C, H, W]}, float, on this network's device
   * @param timesteps model timesteps {@code [N]}
   * @param classIds class indices {@code [N]} int64 in {@code [0, numClasses]}
   * @param condition {@code [N, conditionChannels, H, W]} float (any device: moved), or {@code
   *     null} for the null condition (all zeros; what classifier-free guidance's unconditional
   *     branch and a network without condition channels use)
   * @return the prediction {@code [N, C, H, W]} float32 on this network's device
   * @throws IllegalArgumentException if a shape does not fit the config, or a condition is given to
   *     a network without condition channels
   */
  public Tensor forward(Tensor x, Tensor timesteps, Tensor classIds, Tensor condition) {
    checkOpen();
    int size = config.imageSize();
    Tensors.checkShape(x, "x", -1, config.imageChannels(), size, size);
    long n = x.size(0);
    Tensors.checkShape(timesteps, "timesteps", n);
    Tensors.checkShape(classIds, "classIds", n);
    device.checkOn(x, "x");
    int cc = config.conditionChannels();
    checkArgument(
        condition == null || cc > 0,
        "condition must be null for a network without condition channels but had shape %s",
        condition == null ? "" : java.util.Arrays.toString(Tensors.shape(condition)));
    if (condition != null) {
      Tensors.checkShape(condition, "condition", n, cc, size, size);
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor emb = embedding(device.place(timesteps), device.place(classIds));
      Tensor embAct = torch.silu(emb);
      int patch = config.patchSize();
      x = device.compute(x);
      if (cc > 0) {
        Tensor c =
            condition == null
                ? torch.zeros_like(x.narrow(1, 0, 1)).expand(n, cc, size, size)
                : device.compute(device.placeFloat(condition));
        x = cat(x, c);
      }
      Tensor h = conv(patch > 1 ? torch.pixel_unshuffle(x, patch) : x, "conv_in", 1);
      Deque<Tensor> skips = new ArrayDeque<>();
      int levels = config.levels();
      for (int l = 0; l < levels; l++) {
        for (int i = 0; i < config.resBlocksPerLevel(); i++) {
          h = resBlock(h, embAct, "down." + l + ".res." + i);
        }
        skips.push(h);
        if (l < levels - 1) {
          h = conv(h, "down." + l + ".downsample", 2);
        }
      }
      h = resBlock(h, embAct, "mid.res.0");
      if (config.attentionAtLowest()) {
        h = attention(h, "mid.attn");
      }
      h = resBlock(h, embAct, "mid.res.1");
      for (int l = levels - 1; l >= 0; l--) {
        if (l < levels - 1) {
          h = torch.upsample_nearest2d(h, h.size(2) * 2, h.size(3) * 2);
        }
        h = cat(h, skips.pop());
        for (int i = 0; i < config.resBlocksPerLevel(); i++) {
          h = resBlock(h, embAct, "up." + l + ".res." + i);
        }
      }
      h = torch.silu(groupNorm(h, "norm_out"));
      Tensor out = conv(h, "conv_out", 1);
      out = patch > 1 ? torch.pixel_shuffle(out, patch) : out;
      return s.keep(device.isReducedPrecision() ? out.to(ScalarType.Float) : out);
    }
  }

  private Tensor embedding(Tensor timesteps, Tensor classIds) {
    int half = config.channels().get(0) / 2;
    float[] freqs = new float[half];
    for (int i = 0; i < half; i++) {
      freqs[i] = (float) Math.exp(-Math.log(10000.0) * i / half);
    }
    Tensor f = device.place(Tensors.fromFloats(freqs, 1, half));
    Tensor args = timesteps.to(ScalarType.Float).view(-1, 1).mul(f);
    Tensor sin = torch.sin(args);
    Tensor cos = torch.cos(args);
    Tensor temb = device.compute(cat(cos, sin)); // the sinusoid in float32, then the dtype
    temb = linear(temb, "time.linear1");
    temb = linear(torch.silu(temb), "time.linear2");
    Tensor cemb = torch.embedding(w("class_embedding.weight"), classIds);
    return temb.add(cemb);
  }

  private Tensor resBlock(Tensor x, Tensor embAct, String name) {
    Tensor h = torch.silu(groupNorm(x, name + ".norm1"));
    h = conv(h, name + ".conv1", 1);
    Tensor e = linear(embAct, name + ".emb");
    h = h.add(e.view(e.size(0), e.size(1), 1, 1));
    h = torch.silu(groupNorm(h, name + ".norm2"));
    h = conv(h, name + ".conv2", 1);
    Tensor skip = params.containsKey(name + ".skip.weight") ? conv(x, name + ".skip", 1) : x;
    return skip.add(h);
  }

  private Tensor attention(Tensor x, String name) {
    long n = x.size(0);
    long c = x.size(1);
    long hw = x.size(2) * x.size(3);
    Tensor h = groupNorm(x, name + ".norm").view(n, c, hw).transpose(1, 2); // [N, HW, C]
    Tensor qkv = linear(h, name + ".qkv"); // [N, HW, 3C]
    Tensor q = qkv.narrow(2, 0, c);
    Tensor k = qkv.narrow(2, c, c);
    Tensor v = qkv.narrow(2, 2 * c, c);
    Tensor scores = q.bmm(k.transpose(1, 2)).mul(Tensors.scalar(1.0 / Math.sqrt(c)));
    // softmax in float32 (a no-op cast in float32)
    Tensor w = device.compute(scores.to(ScalarType.Float).softmax(2));
    Tensor o = linear(w.bmm(v), name + ".proj"); // [N, HW, C]
    return x.add(o.transpose(1, 2).reshape(n, c, x.size(2), x.size(3)));
  }

  private Tensor conv(Tensor x, String name, int stride) {
    return NamedTensors.conv(x, w(name + ".weight"), w(name + ".bias"), stride);
  }

  /** GroupNorm in float32 with float32 parameters; returns the input's dtype. */
  private Tensor groupNorm(Tensor x, String name) {
    return NamedTensors.groupNorm(
        x, config.normGroups(), p(name + ".weight"), p(name + ".bias"), 1e-5, device);
  }

  private Tensor linear(Tensor x, String name) {
    return torch.linear(x, w(name + ".weight"), new TensorOptional(w(name + ".bias")));
  }

  /** A weight in the compute dtype (the float32 parameter itself in float32). */
  private Tensor w(String name) {
    return device.compute(p(name));
  }

  private static Tensor cat(Tensor a, Tensor b) {
    TensorVector v = new TensorVector(a, b);
    return torch.cat(v, 1);
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
  static Map<String, int[]> parameterShapes(SmallUNetConfig config) {
    Map<String, int[]> m = new LinkedHashMap<>();
    int c0 = config.channels().get(0);
    int e = config.embeddingDim();
    NamedTensors.linearShape(m, "time.linear1", c0, e);
    NamedTensors.linearShape(m, "time.linear2", e, e);
    m.put("class_embedding.weight", new int[] {config.numClasses() + 1, e});
    int patchChannels = config.imageChannels() * config.patchSize() * config.patchSize();
    int inChannels =
        (config.imageChannels() + config.conditionChannels())
            * config.patchSize()
            * config.patchSize();
    NamedTensors.convShape(m, "conv_in", inChannels, c0, 3);
    int levels = config.levels();
    int ch = c0;
    for (int l = 0; l < levels; l++) {
      int out = config.channels().get(l);
      for (int i = 0; i < config.resBlocksPerLevel(); i++) {
        resShape(m, "down." + l + ".res." + i, ch, out, e);
        ch = out;
      }
      if (l < levels - 1) {
        NamedTensors.convShape(m, "down." + l + ".downsample", ch, ch, 3);
      }
    }
    resShape(m, "mid.res.0", ch, ch, e);
    if (config.attentionAtLowest()) {
      NamedTensors.normShape(m, "mid.attn.norm", ch);
      NamedTensors.linearShape(m, "mid.attn.qkv", ch, 3 * ch);
      NamedTensors.linearShape(m, "mid.attn.proj", ch, ch);
    }
    resShape(m, "mid.res.1", ch, ch, e);
    for (int l = levels - 1; l >= 0; l--) {
      int out = config.channels().get(l);
      ch = ch + out;
      for (int i = 0; i < config.resBlocksPerLevel(); i++) {
        resShape(m, "up." + l + ".res." + i, ch, out, e);
        ch = out;
      }
    }
    NamedTensors.normShape(m, "norm_out", ch);
    NamedTensors.convShape(m, "conv_out", ch, patchChannels, 3);
    return m;
  }

  private static void resShape(Map<String, int[]> m, String name, int in, int out, int e) {
    NamedTensors.normShape(m, name + ".norm1", in);
    NamedTensors.convShape(m, name + ".conv1", in, out, 3);
    NamedTensors.linearShape(m, name + ".emb", e, out);
    NamedTensors.normShape(m, name + ".norm2", out);
    NamedTensors.convShape(m, name + ".conv2", out, out, 3);
    if (in != out) {
      NamedTensors.convShape(m, name + ".skip", in, out, 1);
    }
  }

  private void checkOpen() {
    checkState(!closed, "SmallUNet must be open but was closed");
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
