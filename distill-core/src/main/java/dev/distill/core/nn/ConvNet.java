package dev.distill.core.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.pytorch.global.torch.avg_pool2d;
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
 * The ConvNet of dataset distillation (DC, DSA, DM, MTT): {@code netDepth} blocks of [conv 3×3 with
 * bias, norm, ReLU, avg-pool 2], then one linear layer on the flattened feature map.
 *
 * <p>ConvNet-3 (width 128, instance norm) is the standard evaluation student of the
 * dataset-distillation literature (Zhao et al., <a href="https://arxiv.org/abs/2006.05929">DC</a>;
 * the {@code ConvNet} of {@code VICO-UoE/DatasetCondensation/networks.py}). As there, the first
 * convolution pads by 3 for single-channel inputs, so 28×28 images give a 32×32 map and a 4×4×width
 * feature at depth 3. Parameter names match that module's {@code state_dict} ({@code
 * features.<i>.weight}, {@code classifier.weight}), so weights exported from PyTorch load directly.
 *
 * <p>Weights are initialised like PyTorch's defaults from a seeded generator, so the same seed
 * gives the same network. It runs on the device and in the precision of its {@link DeviceOptions}
 * (mixed precision: float32 parameters, convolutions in the dtype, norms and the classifier in
 * float32; features and logits are float32). Owns its parameters (see {@link ImageClassifier}); not
 * thread-safe.
 *
 * @since 0.1.0
 */
public final class ConvNet implements ImageClassifier {
  /** The {@code architecture} value in saved weights' metadata. */
  public static final String ARCHITECTURE = "convnet";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long[] POOL = {2, 2};

  private final ConvNetConfig config;
  private final ParameterSet parameters = new ParameterSet();
  private final DeviceOptions device;
  private final String[] convNames;
  private final String[] normNames;

  private ConvNet(ConvNetConfig config, long seed, DeviceOptions device) {
    this.config = config;
    this.device = device;
    this.convNames = new String[config.netDepth()];
    this.normNames = new String[config.netDepth()];
    SplittableRandom rng = new SplittableRandom(seed);
    int module = 0;
    int in = config.channels();
    for (int d = 0; d < config.netDepth(); d++) {
      convNames[d] = "features." + module++;
      Layers.registerConv(parameters, rng, convNames[d], in, config.netWidth(), 3, true);
      if (config.norm() != Norm.NONE) {
        normNames[d] = "features." + module++;
        Layers.registerNorm(parameters, config.norm(), normNames[d], config.netWidth());
      }
      module += 2; // activation and pooling have no parameters
      in = config.netWidth();
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
  public static ConvNet of(ConvNetConfig config, long seed) {
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
  public static ConvNet of(ConvNetConfig config, long seed, DeviceOptions device) {
    checkNotNull(config, "config");
    checkNotNull(device, "device");
    return new ConvNet(config, seed, device);
  }

  /**
   * Loads a network written by {@link #save}.
   *
   * @param file a safetensors file whose metadata holds {@code architecture=convnet} and the config
   * @return the network; the caller closes it
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is not a ConvNet file or its tensors do not match
   */
  public static ConvNet load(Path file) throws IOException {
    return load(file, DeviceOptions.cpu());
  }

  /**
   * Loads a network written by {@link #save} onto a device.
   *
   * @param file a safetensors file whose metadata holds {@code architecture=convnet} and the config
   * @param device where and in which precision the network runs
   * @return the network; the caller closes it
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is not a ConvNet file or its tensors do not match
   */
  public static ConvNet load(Path file, DeviceOptions device) throws IOException {
    checkNotNull(device, "device");
    try (Safetensors st = Safetensors.open(file)) {
      return load(st, device);
    }
  }

  /**
   * Loads a network from an open safetensors file written by {@link #save}.
   *
   * @param st the file
   * @return the network; the caller closes it
   */
  public static ConvNet load(Safetensors st) {
    return load(st, DeviceOptions.cpu());
  }

  /**
   * Loads a network from an open safetensors file onto a device.
   *
   * @param st the file
   * @param device where and in which precision the network runs
   * @return the network; the caller closes it
   */
  public static ConvNet load(Safetensors st, DeviceOptions device) {
    checkNotNull(device, "device");
    Map<String, String> meta = st.metadata();
    checkArgument(
        ARCHITECTURE.equals(meta.get("architecture")),
        "weights file %s must have metadata architecture=%s but had %s",
        st.file(),
        ARCHITECTURE,
        meta.get("architecture"));
    ConvNetConfig config;
    try {
      config = JSON.readValue(meta.get("config"), ConvNetConfig.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "weights file " + st.file() + " must hold a ConvNetConfig in metadata 'config'", e);
    }
    ConvNet net = new ConvNet(config, 0, device);
    try {
      net.parameters.load(st);
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
    return net;
  }

  /** The architecture. */
  public ConvNetConfig config() {
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
    Tensor h = device.compute(images);
    for (int d = 0; d < config.netDepth(); d++) {
      int pad = d == 0 ? ConvNetConfig.firstPadding(config.channels()) : 1;
      h = Layers.conv(h, parameters, convNames[d], true, 1, pad);
      if (normNames[d] != null) {
        h = Layers.norm(h, parameters, config.norm(), normNames[d], training);
      }
      h = relu_(h); // in place: conv and norm backward need their inputs, not outputs
      h = avg_pool2d(h, POOL);
    }
    Tensor f = h.flatten(1, -1);
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
    return ARCHITECTURE + config.netDepth();
  }

  @Override
  public void save(Path file) throws IOException {
    parameters.save(file, Map.of("architecture", ARCHITECTURE, "config", toJson(config)));
  }

  static String toJson(Object config) {
    try {
      return JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("config must serialise to JSON", e);
    }
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
