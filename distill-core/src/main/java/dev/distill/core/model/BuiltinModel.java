package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.distill.api.DistillException;
import dev.distill.core.tensor.DeviceOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The built-in small class-conditional diffusion models: a {@link SmallUNet} with its weights, its
 * sampler and its encoder — in pixel space ({@link #fashionMnist()}, identity encoder) or in the
 * latent space of a {@link SmallAutoencoder} ({@link #fashionMnistLatent()}, a miniature of SDXL's
 * VAE + UNet).
 *
 * <p>{@link #fashionMnist()} loads the model shipped in distill-core's resources, trained by {@code
 * examples/TrainBackbone} on the Fashion-MNIST training set (1×28×28, 10 classes). Owns the
 * network's weights (on the device of its {@link DeviceOptions}, CPU/float32 by default) and frees
 * them on {@link #close()}; the sampler and encoder it hands out are valid until then. Not
 * thread-safe (one sampling thread at a time).
 *
 * @since 0.1.0
 */
public final class BuiltinModel implements AutoCloseable {
  /** The classpath folder of the shipped weights. */
  public static final String RESOURCE_DIR = "/dev/distill/core/model/";

  /**
   * The base name of the shipped Fashion-MNIST weights ({@code .safetensors}) and config ({@code
   * .json}).
   */
  public static final String FASHION_MNIST = "fashion-mnist-unet";

  /** Fashion-MNIST's class names, index = label. */
  public static final List<String> FASHION_MNIST_CLASSES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /**
   * The base name of the shipped Fashion-MNIST latent UNet ({@code .safetensors} and {@code
   * .json}); its autoencoder is {@link #FASHION_MNIST_VAE}.
   */
  public static final String FASHION_MNIST_LATENT = "fashion-mnist-latent-unet";

  /**
   * The base name of the shipped Fashion-MNIST autoencoder ({@code .safetensors}, {@code .json}).
   */
  public static final String FASHION_MNIST_VAE = "fashion-mnist-vae";

  /** Resource base name of the shipped layout-conditioned scene UNet. */
  public static final String FASHION_MNIST_SCENES = "fashion-mnist-scenes-unet";

  /**
   * Resource name of the scene model's autoencoder config: the {@link #FASHION_MNIST_VAE} weights
   * at 64×64 with a scaling factor measured on scenes.
   */
  public static final String FASHION_MNIST_SCENES_VAE_CONFIG = "fashion-mnist-scenes-vae.json";

  private final SmallUNet unet;
  private final SmallAutoencoder autoencoder;
  private final String id;
  private final List<String> classNames;
  private final BuiltinSampler sampler;

  private BuiltinModel(
      SmallUNet unet, SmallAutoencoder autoencoder, String id, List<String> classNames) {
    this.unet = unet;
    this.autoencoder = autoencoder;
    this.id = id;
    this.classNames = List.copyOf(classNames);
    String dpm = "DPMSolverMultistepScheduler";
    this.sampler =
        autoencoder == null
            ? BuiltinSampler.of(unet, BuiltinSampler.scheduler(unet.config(), dpm), id)
            : BuiltinSampler.latent(
                unet, autoencoder, BuiltinSampler.scheduler(unet.config(), dpm, false), id);
  }

  /**
   * Loads the shipped Fashion-MNIST model from the classpath.
   *
   * @return the model (close it)
   * @throws DistillException if the resources are missing or corrupt (a packaging error)
   */
  public static BuiltinModel fashionMnist() {
    return fashionMnist(DeviceOptions.cpu());
  }

  /**
   * Loads the shipped Fashion-MNIST model onto a device.
   *
   * @param device where and in which precision the UNet runs (sampling loop included)
   * @return the model (close it)
   * @throws DistillException if the resources are missing or corrupt (a packaging error)
   * @throws IllegalStateException if the device is not available
   */
  public static BuiltinModel fashionMnist(DeviceOptions device) {
    checkNotNull(device, "device");
    device.checkAvailable();
    try {
      byte[] json = resource(FASHION_MNIST + ".json");
      byte[] weights = resource(FASHION_MNIST + ".safetensors");
      SmallUNetConfig config = SmallUNetConfig.fromJson(new String(json, StandardCharsets.UTF_8));
      Path tmp = Files.createTempFile("distill-" + FASHION_MNIST, ".safetensors");
      try {
        Files.write(tmp, weights);
        SmallUNet unet = SmallUNet.load(config, tmp, device);
        return new BuiltinModel(
            unet,
            null,
            "distill/" + FASHION_MNIST + "@sha256:" + sha256(weights),
            FASHION_MNIST_CLASSES);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new DistillException("cannot load the built-in " + FASHION_MNIST + " model", e);
    }
  }

  /**
   * Loads a model written by {@code TrainBackbone} (or any {@link SmallUNet#save}).
   *
   * @param weights the safetensors file
   * @param config the config JSON file ({@link SmallUNetConfig#toJson})
   * @param classNames class names, one per class of the config
   * @return the model (close it)
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if the weights do not fit the config
   */
  public static BuiltinModel load(Path weights, Path config, List<String> classNames)
      throws IOException {
    return load(weights, config, classNames, DeviceOptions.cpu());
  }

  /**
   * Loads a model written by {@code TrainBackbone} onto a device.
   *
   * @param weights the safetensors file
   * @param config the config JSON file ({@link SmallUNetConfig#toJson})
   * @param classNames class names, one per class of the config
   * @param device where and in which precision the UNet runs
   * @return the model (close it)
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if the weights do not fit the config
   * @throws IllegalStateException if the device is not available
   */
  public static BuiltinModel load(
      Path weights, Path config, List<String> classNames, DeviceOptions device) throws IOException {
    checkNotNull(weights, "weights");
    checkNotNull(device, "device");
    checkNotNull(config, "config");
    checkNotNull(classNames, "classNames");
    SmallUNetConfig c = SmallUNetConfig.fromJson(Files.readString(config));
    if (classNames.size() != c.numClasses()) {
      throw new IllegalArgumentException(
          "classNames must have " + c.numClasses() + " entries but had " + classNames.size());
    }
    byte[] bytes = Files.readAllBytes(weights);
    SmallUNet unet = SmallUNet.load(c, weights, device);
    String name = weights.getFileName().toString().replaceFirst("\\.safetensors$", "");
    return new BuiltinModel(unet, null, name + "@sha256:" + sha256(bytes), classNames);
  }

  /**
   * Loads the shipped Fashion-MNIST latent model (a {@link SmallAutoencoder} with 4×7×7 latents and
   * a latent {@link SmallUNet}) from the classpath, on the CPU in float32.
   *
   * @return the model (close it)
   * @throws DistillException if the resources are missing or corrupt (a packaging error)
   */
  public static BuiltinModel fashionMnistLatent() {
    return fashionMnistLatent(DeviceOptions.cpu());
  }

  /**
   * Loads the shipped Fashion-MNIST latent model onto a device.
   *
   * @param device where and in which precision the UNet and the autoencoder run
   * @return the model (close it)
   * @throws DistillException if the resources are missing or corrupt (a packaging error)
   * @throws IllegalStateException if the device is not available
   */
  public static BuiltinModel fashionMnistLatent(DeviceOptions device) {
    return shippedLatent(FASHION_MNIST_LATENT, FASHION_MNIST_VAE + ".json", device);
  }

  /**
   * Loads the shipped Fashion-MNIST <em>scene</em> model on the CPU in float32: a
   * layout-conditioned latent {@link SmallUNet} ({@link LayoutMap} input channels, see {@link
   * BuiltinSampler#layoutConditioned()}) on 4×16×16 latents of 64×64 scenes of {@code
   * FashionMnistScenes} (the default {@code SceneConfig}), with the Fashion-MNIST autoencoder's
   * weights at 64×64 and a scaling factor measured on scenes. Its class is the scene's dominant
   * (largest) object's class; its layout the boxes of every object (category id = class + 1).
   *
   * @return the model (close it)
   * @throws DistillException if the resources are missing or corrupt (a packaging error)
   */
  public static BuiltinModel fashionMnistScenes() {
    return fashionMnistScenes(DeviceOptions.cpu());
  }

  /**
   * Loads the shipped Fashion-MNIST scene model onto a device.
   *
   * @param device where and in which precision the UNet and the autoencoder run
   * @return the model (close it)
   * @throws DistillException if the resources are missing or corrupt (a packaging error)
   * @throws IllegalStateException if the device is not available
   */
  public static BuiltinModel fashionMnistScenes(DeviceOptions device) {
    return shippedLatent(FASHION_MNIST_SCENES, FASHION_MNIST_SCENES_VAE_CONFIG, device);
  }

  /** A shipped latent UNet with the shipped autoencoder weights under a given config. */
  private static BuiltinModel shippedLatent(
      String unetBase, String vaeConfig, DeviceOptions device) {
    checkNotNull(device, "device");
    device.checkAvailable();
    Path dir = null;
    try {
      dir = Files.createTempDirectory("distill-latent");
      for (String name :
          List.of(
              unetBase + ".json",
              unetBase + ".safetensors",
              vaeConfig,
              FASHION_MNIST_VAE + ".safetensors")) {
        Files.write(dir.resolve(name), resource(name));
      }
      return loadLatent(
          dir.resolve(unetBase + ".safetensors"),
          dir.resolve(unetBase + ".json"),
          dir.resolve(FASHION_MNIST_VAE + ".safetensors"),
          dir.resolve(vaeConfig),
          FASHION_MNIST_CLASSES,
          device,
          "distill/");
    } catch (IOException | IllegalArgumentException e) {
      throw new DistillException("cannot load the built-in " + unetBase + " model", e);
    } finally {
      if (dir != null) {
        deleteQuietly(dir);
      }
    }
  }

  /**
   * Loads a latent model written by {@code TrainBackbone --latent} (or any {@link SmallUNet#save}
   * and {@link SmallAutoencoder#save}).
   *
   * @param unetWeights the latent UNet's safetensors file
   * @param unetConfig its config JSON ({@link SmallUNetConfig#toJson})
   * @param vaeWeights the autoencoder's safetensors file
   * @param vaeConfig its config JSON ({@link SmallAutoencoderConfig#toJson})
   * @param classNames class names, one per class of the UNet config
   * @param device where and in which precision both networks run
   * @return the model (close it); its id names both files' SHA-256
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if the weights do not fit the configs or the UNet does not
   *     work in the autoencoder's latent space
   */
  public static BuiltinModel loadLatent(
      Path unetWeights,
      Path unetConfig,
      Path vaeWeights,
      Path vaeConfig,
      List<String> classNames,
      DeviceOptions device)
      throws IOException {
    return loadLatent(unetWeights, unetConfig, vaeWeights, vaeConfig, classNames, device, "");
  }

  private static BuiltinModel loadLatent(
      Path unetWeights,
      Path unetConfig,
      Path vaeWeights,
      Path vaeConfig,
      List<String> classNames,
      DeviceOptions device,
      String idPrefix)
      throws IOException {
    checkNotNull(unetWeights, "unetWeights");
    checkNotNull(unetConfig, "unetConfig");
    checkNotNull(vaeWeights, "vaeWeights");
    checkNotNull(vaeConfig, "vaeConfig");
    checkNotNull(classNames, "classNames");
    checkNotNull(device, "device");
    SmallUNetConfig c = SmallUNetConfig.fromJson(Files.readString(unetConfig));
    SmallAutoencoderConfig vc = SmallAutoencoderConfig.fromJson(Files.readString(vaeConfig));
    if (classNames.size() != c.numClasses()) {
      throw new IllegalArgumentException(
          "classNames must have " + c.numClasses() + " entries but had " + classNames.size());
    }
    String unetHash = sha256(Files.readAllBytes(unetWeights));
    String vaeHash = sha256(Files.readAllBytes(vaeWeights));
    SmallUNet unet = SmallUNet.load(c, unetWeights, device);
    SmallAutoencoder vae = null;
    try {
      vae = SmallAutoencoder.load(vc, vaeWeights, device);
      String name = unetWeights.getFileName().toString().replaceFirst("\\.safetensors$", "");
      return new BuiltinModel(
          unet,
          vae,
          idPrefix + name + "@sha256:" + unetHash + "+vae@sha256:" + vaeHash.substring(0, 16),
          classNames);
    } catch (RuntimeException | IOException e) {
      unet.close();
      if (vae != null) {
        vae.close();
      }
      throw e;
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a leftover temporary folder is harmless
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = BuiltinModel.class.getResourceAsStream(RESOURCE_DIR + name)) {
      if (in == null) {
        throw new IOException("classpath resource " + RESOURCE_DIR + name + " is missing");
      }
      return in.readAllBytes();
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 must be available", e);
    }
  }

  /** The network (owned by this model). */
  public SmallUNet unet() {
    checkState(!closed(), "model must be open but was closed");
    return unet;
  }

  /** Where and in which precision the UNet and its sampling loop run. */
  public DeviceOptions deviceOptions() {
    return unet.deviceOptions();
  }

  /** The architecture. */
  public SmallUNetConfig config() {
    return unet.config();
  }

  /** The model identifier: name and SHA-256 of the weights file. */
  public String id() {
    return id;
  }

  /** The class names, index = class id (immutable). */
  public List<String> classNames() {
    return classNames;
  }

  /**
   * The sampler of this model, with DPM-Solver++ 2M (valid until {@link #close()}); use {@link
   * BuiltinSampler#withScheduler} for another scheduler.
   */
  public BuiltinSampler sampler() {
    return sampler;
  }

  /**
   * The encoder of this model's latent space: the identity for the pixel model, a {@link
   * LatentEncoder} for the latent model.
   */
  public dev.distill.api.Encoder encoder() {
    return sampler.latentEncoder();
  }

  /**
   * A diffusers scheduler for this model's noise schedule, with {@code clip_sample} on for the
   * pixel model and off for the latent model ({@link BuiltinSampler#scheduler(SmallUNetConfig,
   * String, boolean)}); use with {@code sampler().withScheduler(...)}.
   *
   * @param className a diffusers scheduler class name, e.g. {@code "DDIMScheduler"}
   * @return the scheduler
   * @throws IllegalArgumentException if the class name is unknown (named)
   */
  public dev.distill.core.scheduler.Scheduler scheduler(String className) {
    return BuiltinSampler.scheduler(unet.config(), className, autoencoder == null);
  }

  /** The autoencoder of the latent model, or empty for the pixel model (owned by this model). */
  public java.util.Optional<SmallAutoencoder> autoencoder() {
    return java.util.Optional.ofNullable(autoencoder);
  }

  private boolean closed;

  private boolean closed() {
    return closed;
  }

  /** Frees the weights. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      unet.close();
      if (autoencoder != null) {
        autoencoder.close();
      }
    }
  }
}
