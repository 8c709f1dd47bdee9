package dev.distill.core.model;

import dev.distill.core.scheduler.PredictionType;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;

/** Tiny seeded networks and data for fast tests. */
final class TinyNets {
  static {
    // tiny tensors: one intra-op thread avoids OpenMP hand-offs on a busy machine
    org.bytedeco.pytorch.global.torch.set_num_threads(1);
  }

  private TinyNets() {}

  /** 1×8×8, two classes, channels [8, 16], attention on. */
  static SmallUNetConfig config() {
    return config(PredictionType.EPSILON);
  }

  static SmallUNetConfig config(PredictionType type) {
    return SmallUNetConfig.builder()
        .image(1, 8)
        .numClasses(2)
        .channels(List.of(8, 16))
        .normGroups(4)
        .predictionType(type)
        .build();
  }

  /**
   * A network whose every parameter is random (unlike {@link SmallUNet#initialize}, whose zero
   * output convolution predicts 0 everywhere).
   */
  static SmallUNet random(SmallUNetConfig config, long seed) {
    Random r = new Random(seed);
    try (SmallUNet init = SmallUNet.initialize(config, seed);
        TensorScope s = TensorScope.open()) {
      Map<String, Tensor> m = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : init.parameters().entrySet()) {
        float[] v = Tensors.toFloats(e.getValue());
        for (int i = 0; i < v.length; i++) {
          v[i] += (float) (0.2 * r.nextGaussian());
        }
        m.put(e.getKey(), Tensors.fromFloats(v, Tensors.shape(e.getValue())));
      }
      return SmallUNet.fromTensors(config, m);
    }
  }

  /** 64 images 1×8×8 in [-1, 1]: class 0 horizontal stripes, class 1 vertical, with noise. */
  static Tensor stripes(long seed) {
    Random r = new Random(seed);
    float[] v = new float[64 * 64];
    for (int n = 0; n < 64; n++) {
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          int k = (n % 2 == 0) ? y : x;
          float base = (k % 2 == 0) ? 0.8f : -0.8f;
          v[n * 64 + y * 8 + x] = base + (float) (0.1 * r.nextGaussian());
        }
      }
    }
    return Tensors.fromFloats(v, 64, 1, 8, 8);
  }

  /** The labels of {@link #stripes}: n % 2. */
  static Tensor stripeLabels() {
    long[] l = new long[64];
    for (int n = 0; n < 64; n++) {
      l[n] = n % 2;
    }
    return Tensors.fromLongs(l, 64);
  }

  /** A 1×8×8 autoencoder with 2×2 patches, channels [8, 16] and 2×2×2 latents. */
  static SmallAutoencoderConfig autoencoderConfig() {
    return new SmallAutoencoderConfig(1, 8, 2, 2, List.of(8, 16), 1, 4, 1.0);
  }

  /** A latent UNet for {@link #autoencoderConfig()}: 2×2×2 latents, two classes, one level. */
  static SmallUNetConfig latentUNetConfig() {
    return SmallUNetConfig.builder()
        .image(2, 2)
        .numClasses(2)
        .channels(List.of(8))
        .normGroups(4)
        .build();
  }

  /** An autoencoder whose every parameter is perturbed by seeded noise (std 0.2). */
  static SmallAutoencoder randomAutoencoder(SmallAutoencoderConfig config, long seed) {
    Random r = new Random(seed);
    try (SmallAutoencoder init =
            SmallAutoencoder.initialize(config, seed, dev.distill.core.tensor.DeviceOptions.cpu());
        TensorScope s = TensorScope.open()) {
      Map<String, Tensor> m = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : init.parameters().entrySet()) {
        float[] v = Tensors.toFloats(e.getValue());
        for (int i = 0; i < v.length; i++) {
          v[i] += (float) (0.2 * r.nextGaussian());
        }
        m.put(e.getKey(), Tensors.fromFloats(v, Tensors.shape(e.getValue())));
      }
      return SmallAutoencoder.fromTensors(config, m, dev.distill.core.tensor.DeviceOptions.cpu());
    }
  }
}
