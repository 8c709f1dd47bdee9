package dev.distill.task.proxy;

import dev.distill.core.io.Safetensors;
import dev.distill.core.nn.ParameterSet;
import dev.distill.core.tensor.DeviceOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * What the annotation proxies share: their architecture name, config, device, parameters and
 * safetensors file format (weights plus {@code architecture} and {@code config} metadata).
 *
 * <p>Owns its parameters; close it. Not thread-safe.
 */
abstract class ProxyNet implements AnnotationTaskProxy, AutoCloseable {
  private final String architecture;
  final ProxyNetConfig config;
  final DeviceOptions device;
  final ParameterSet parameters = new ParameterSet();

  ProxyNet(String architecture, ProxyNetConfig config, DeviceOptions device) {
    this.architecture = architecture;
    this.config = config;
    this.device = device;
  }

  /**
   * Loads a proxy written by {@link #save}: reads the config from the file's metadata, builds the
   * network with {@code create} and loads its weights (closing it if they do not fit).
   */
  static <T extends ProxyNet> T load(
      Path file, String architecture, Function<ProxyNetConfig, T> create) throws IOException {
    try (Safetensors st = Safetensors.open(file)) {
      T net = create.apply(ProxyNets.config(st, architecture));
      try {
        net.parameters.load(st);
      } catch (RuntimeException e) {
        net.close();
        throw e;
      }
      return net;
    }
  }

  /**
   * Writes the weights and config as safetensors.
   *
   * @param file the destination
   * @throws IOException if writing fails
   */
  public void save(Path file) throws IOException {
    parameters.save(file, ProxyNets.metadata(architecture, config));
  }

  /** The architecture. */
  public ProxyNetConfig config() {
    return config;
  }

  /** The parameters (owned by this proxy; for training). */
  public ParameterSet parameters() {
    return parameters;
  }

  /** Where and in which precision it runs. */
  public DeviceOptions deviceOptions() {
    return device;
  }

  @Override
  public int numCategories() {
    return config.numCategories();
  }

  @Override
  public long[] imageSize() {
    return new long[] {config.channels(), config.imageHeight(), config.imageWidth()};
  }

  @Override
  public String id() {
    return architecture + "-w" + config.netWidth();
  }

  @Override
  public void close() {
    parameters.close();
  }
}
