package dev.distill.task.proxy;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistillException;
import dev.distill.core.data.SceneConfig;
import dev.distill.core.tensor.DeviceOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shipped detection and segmentation proxies for UniDD guidance on Fashion-MNIST scenes: a
 * {@link CenterNetDetector} and an {@link LrAsppSegmenter} trained on real training-split scenes of
 * {@link #sceneConfig()} ({@code distill train-proxy}), loaded from distill-task's resources.
 *
 * <p>Each proxy is a safetensors file ({@code architecture} and {@code config} metadata, as {@link
 * CenterNetDetector#save} writes it) with a JSON record beside it ({@link #record}): the training
 * command, steps, seed, batch losses, wall time and the measured test figures. The README's
 * "Shipped proxies" paragraph quotes them.
 *
 * <p>Stateless and thread-safe; each loaded proxy belongs to its caller, who closes it.
 *
 * @since 0.1.0
 */
public final class BuiltinProxies {
  /** The classpath folder of the shipped proxies. */
  public static final String RESOURCE_DIR = "/dev/distill/task/proxy/";

  /** The base name of the shipped detector ({@code .safetensors} and {@code .json}). */
  public static final String DETECTOR = "fashion-mnist-scenes-detector";

  /** The base name of the shipped segmenter ({@code .safetensors} and {@code .json}). */
  public static final String SEGMENTER = "fashion-mnist-scenes-segmenter";

  /** The base width of the shipped detector. */
  public static final int DETECTOR_WIDTH = 16;

  /** The base width of the shipped segmenter. */
  public static final int SEGMENTER_WIDTH = 16;

  private BuiltinProxies() {}

  /**
   * The scenes the shipped proxies were trained on (training split) and scored on (test split).
   *
   * @return {@link SceneConfig#defaults()}: 64×64 canvases, 1–4 garments of side 16–40
   */
  public static SceneConfig sceneConfig() {
    return SceneConfig.defaults();
  }

  /**
   * The architecture of the shipped detector.
   *
   * @return 1 channel, 64×64 input, the 10 Fashion-MNIST categories, width {@link #DETECTOR_WIDTH}
   */
  public static ProxyNetConfig detectorConfig() {
    return ProxyNetConfig.of(1, sceneConfig().canvasSize(), 10, DETECTOR_WIDTH);
  }

  /**
   * The architecture of the shipped segmenter.
   *
   * @return 1 channel, 64×64 input, the 10 Fashion-MNIST categories, width {@link #SEGMENTER_WIDTH}
   */
  public static ProxyNetConfig segmenterConfig() {
    return ProxyNetConfig.of(1, sceneConfig().canvasSize(), 10, SEGMENTER_WIDTH);
  }

  /**
   * Loads the shipped detector on the CPU in float32.
   *
   * @return the detector; the caller closes it
   * @throws DistillException if the resource is missing or corrupt (a packaging error)
   */
  public static CenterNetDetector detector() {
    return detector(DeviceOptions.cpu());
  }

  /**
   * Loads the shipped detector onto a device.
   *
   * @param device where and in which precision it runs
   * @return the detector; the caller closes it
   * @throws DistillException if the resource is missing or corrupt (a packaging error)
   * @throws IllegalStateException if the device is not available
   */
  public static CenterNetDetector detector(DeviceOptions device) {
    checkNotNull(device, "device");
    device.checkAvailable();
    return load(DETECTOR, file -> CenterNetDetector.load(file, device));
  }

  /**
   * Loads the shipped segmenter on the CPU in float32.
   *
   * @return the segmenter; the caller closes it
   * @throws DistillException if the resource is missing or corrupt (a packaging error)
   */
  public static LrAsppSegmenter segmenter() {
    return segmenter(DeviceOptions.cpu());
  }

  /**
   * Loads the shipped segmenter onto a device.
   *
   * @param device where and in which precision it runs
   * @return the segmenter; the caller closes it
   * @throws DistillException if the resource is missing or corrupt (a packaging error)
   * @throws IllegalStateException if the device is not available
   */
  public static LrAsppSegmenter segmenter(DeviceOptions device) {
    checkNotNull(device, "device");
    device.checkAvailable();
    return load(SEGMENTER, file -> LrAsppSegmenter.load(file, device));
  }

  /**
   * The JSON training record of a shipped proxy: config, command, steps, seed, losses, seconds and
   * test figures.
   *
   * @param name {@link #DETECTOR} or {@link #SEGMENTER}
   * @return the record's text
   * @throws IllegalArgumentException if {@code name} is neither
   * @throws DistillException if the resource is missing (a packaging error)
   */
  public static String record(String name) {
    checkNotNull(name, "name");
    if (!name.equals(DETECTOR) && !name.equals(SEGMENTER)) {
      throw new IllegalArgumentException(
          "name must be " + DETECTOR + " or " + SEGMENTER + " but was " + name);
    }
    try {
      return new String(resource(name + ".json"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DistillException("cannot read the record of the built-in " + name, e);
    }
  }

  /** Reads a proxy file (from a path). */
  @FunctionalInterface
  interface Loader<T> {
    T load(Path file) throws IOException;
  }

  /**
   * Copies the resource {@code name.safetensors} to a temporary file (the safetensors reader maps
   * files) and loads it.
   */
  static <T> T load(String name, Loader<T> loader) {
    try {
      byte[] weights = resource(name + ".safetensors");
      Path tmp = Files.createTempFile("distill-" + name, ".safetensors");
      try {
        Files.write(tmp, weights);
        return loader.load(tmp);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new DistillException("cannot load the built-in " + name + " proxy", e);
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = BuiltinProxies.class.getResourceAsStream(RESOURCE_DIR + name)) {
      if (in == null) {
        throw new IOException("classpath resource " + RESOURCE_DIR + name + " is missing");
      }
      return in.readAllBytes();
    }
  }
}
