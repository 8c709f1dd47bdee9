package dev.distill.core.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.relu_;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.DeviceOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * ResNet-18 for small inputs (CIFAR-style): a 3×3 stride-1 stem without max-pool, four stages of
 * two basic blocks (widths 64, 128, 256, 512; strides 1, 2, 2, 2), global average pooling, one
 * linear layer.
 *
 * <p>This is the {@code ResNet18} of {@code VICO-UoE/DatasetCondensation/networks.py} (He et al.,
 * <a href="https://arxiv.org/abs/1512.03385">Deep Residual Learning</a>), with the same parameter
 * names ({@code conv1}, {@code bn1}, {@code layer1.0.conv1}, {@code layer2.0.shortcut.0}, {@code
 * classifier}); the final pooling is global (equal to its {@code avg_pool2d(4)} for 28–32 px
 * inputs). Convolutions have no bias. With {@link Norm#BATCH}, {@code forward(x, true)} uses batch
 * statistics and updates the running statistics in place (kept in float32 on every device). Runs on
 * the device and in the precision of its {@link DeviceOptions}, like {@link ConvNet}. Owns its
 * parameters; not thread-safe.
 *
 * @since 0.1.0
 */
public final class ResNet18 implements ImageClassifier {
  /** The {@code architecture} value in saved weights' metadata. */
  public static final String ARCHITECTURE = "resnet18";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int[] STRIDES = {1, 2, 2, 2};

  private final ResNetConfig config;
  private final ParameterSet parameters = new ParameterSet();
  private final DeviceOptions device;

  private ResNet18(ResNetConfig config, long seed, DeviceOptions device) {
    this.config = config;
    this.device = device;
    SplittableRandom rng = new SplittableRandom(seed);
    int w = config.baseWidth();
    Layers.registerConv(parameters, rng, "conv1", config.channels(), w, 3, false);
    Layers.registerNorm(parameters, config.norm(), "bn1", w);
    int in = w;
    for (int stage = 0; stage < 4; stage++) {
      int out = w << stage;
      for (int block = 0; block < 2; block++) {
        String p = "layer" + (stage + 1) + "." + block;
        int stride = block == 0 ? STRIDES[stage] : 1;
        Layers.registerConv(parameters, rng, p + ".conv1", in, out, 3, false);
        Layers.registerNorm(parameters, config.norm(), p + ".bn1", out);
        Layers.registerConv(parameters, rng, p + ".conv2", out, out, 3, false);
        Layers.registerNorm(parameters, config.norm(), p + ".bn2", out);
        if (stride != 1 || in != out) {
          Layers.registerConv(parameters, rng, p + ".shortcut.0", in, out, 1, false);
          Layers.registerNorm(parameters, config.norm(), p + ".shortcut.1", out);
        }
        in = out;
      }
    }
    Layers.registerLinear(parameters, rng, "classifier", config.featureDim(), config.numClasses());
    parameters.placeOn(device);
  }

  /**
   * A freshly initialised network.
   *
   * @param config the architecture
   * @param seed the initialisation seed
   * @return the network; the caller closes it
   */
  public static ResNet18 of(ResNetConfig config, long seed) {
    return of(config, seed, DeviceOptions.cpu());
  }

  /**
   * A freshly initialised network on a device (the same values as on the CPU: they are drawn on the
   * CPU and moved).
   *
   * @param config the architecture
   * @param seed the initialisation seed
   * @param device where and in which precision the network runs ({@link DeviceOptions})
   * @return the network; the caller closes it
   * @throws IllegalStateException if the device is not available
   */
  public static ResNet18 of(ResNetConfig config, long seed, DeviceOptions device) {
    checkNotNull(config, "config");
    checkNotNull(device, "device");
    return new ResNet18(config, seed, device);
  }

  /**
   * Loads a network written by {@link #save}.
   *
   * @param file a safetensors file whose metadata holds {@code architecture=resnet18} and the
   *     config
   * @return the network; the caller closes it
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is not a ResNet-18 file or its tensors do not match
   */
  public static ResNet18 load(Path file) throws IOException {
    return load(file, DeviceOptions.cpu());
  }

  /**
   * Loads a network written by {@link #save} onto a device.
   *
   * @param file a safetensors file whose metadata holds {@code architecture=resnet18} and the
   *     config
   * @param device where and in which precision the network runs
   * @return the network; the caller closes it
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is not a ResNet-18 file or its tensors do not match
   */
  public static ResNet18 load(Path file, DeviceOptions device) throws IOException {
    checkNotNull(device, "device");
    try (Safetensors st = Safetensors.open(file)) {
      Map<String, String> meta = st.metadata();
      checkArgument(
          ARCHITECTURE.equals(meta.get("architecture")),
          "weights file %s must have metadata architecture=%s but had %s",
          file,
          ARCHITECTURE,
          meta.get("architecture"));
      ResNetConfig config;
      try {
        config = JSON.readValue(meta.get("config"), ResNetConfig.class);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "weights file " + file + " must hold a ResNetConfig in metadata 'config'", e);
      }
      ResNet18 net = new ResNet18(config, 0, device);
      try {
        net.parameters.load(st);
      } catch (RuntimeException e) {
        net.close();
        throw e;
      }
      return net;
    }
  }

  /** The architecture. */
  public ResNetConfig config() {
    return config;
  }

  @Override
  public Tensor forward(Tensor images, boolean training) {
    Tensor f = penultimate(images, training);
    return linear(
        f,
        parameters.get("classifier.weight"),
        new TensorOptional(parameters.get("classifier.bias")));
  }

  @Override
  public Tensor penultimate(Tensor images, boolean training) {
    Layers.checkInput(images, inputShape(), device);
    Norm norm = config.norm();
    Tensor h = Layers.conv(device.compute(images), parameters, "conv1", false, 1, 1);
    h = relu_(Layers.norm(h, parameters, norm, "bn1", training));
    for (int stage = 0; stage < 4; stage++) {
      for (int block = 0; block < 2; block++) {
        String p = "layer" + (stage + 1) + "." + block;
        int stride = block == 0 ? STRIDES[stage] : 1;
        Tensor o = Layers.conv(h, parameters, p + ".conv1", false, stride, 1);
        o = relu_(Layers.norm(o, parameters, norm, p + ".bn1", training));
        o = Layers.conv(o, parameters, p + ".conv2", false, 1, 1);
        o = Layers.norm(o, parameters, norm, p + ".bn2", training);
        Tensor shortcut = h;
        if (parameters.trainable().containsKey(p + ".shortcut.0.weight")) {
          shortcut = Layers.conv(h, parameters, p + ".shortcut.0", false, stride, 0);
          shortcut = Layers.norm(shortcut, parameters, norm, p + ".shortcut.1", training);
        }
        h = relu_(o.add_(shortcut)); // in place: conv and norm backward need inputs only
      }
    }
    Tensor f = h.mean(new long[] {2, 3}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
    return device.isReducedPrecision() ? f.to(ScalarType.Float) : f;
  }

  @Override
  public DeviceOptions deviceOptions() {
    return device;
  }

  @Override
  public long[] inputShape() {
    return new long[] {config.channels(), config.imageHeight(), config.imageWidth()};
  }

  @Override
  public int numClasses() {
    return config.numClasses();
  }

  @Override
  public int featureDim() {
    return config.featureDim();
  }

  @Override
  public ParameterSet parameters() {
    return parameters;
  }

  @Override
  public String name() {
    return ARCHITECTURE;
  }

  @Override
  public void save(Path file) throws IOException {
    parameters.save(file, Map.of("architecture", ARCHITECTURE, "config", ConvNet.toJson(config)));
  }

  @Override
  public void close() {
    parameters.close();
  }

  @Override
  public String toString() {
    return name() + config + " (" + parameters.count() + " parameters)";
  }
}
