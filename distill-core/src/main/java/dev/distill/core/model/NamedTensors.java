package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * What the built-in functional networks ({@link SmallUNet}, {@link SmallAutoencoder}) share: their
 * parameters are a name → shape table, initialised, checked, loaded and run the same way.
 */
final class NamedTensors {
  private NamedTensors() {}

  /** How one parameter starts. */
  enum Init {
    ONES,
    ZEROS,
    /** standard normal */
    NORMAL,
    /** PyTorch's default: uniform in ±1/√fan_in of the parameter's weight */
    FAN_IN
  }

  /**
   * Initialises every parameter of a shape table in order, drawing from one seeded {@link Random}
   * on the CPU, then moving the values to the device.
   */
  static Map<String, Tensor> initialize(
      Map<String, int[]> shapes, long seed, DeviceOptions device, Function<String, Init> rule) {
    Random rng = new Random(seed);
    Map<String, Tensor> params = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : shapes.entrySet()) {
      String name = e.getKey();
      int[] shape = e.getValue();
      float[] v = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
      switch (rule.apply(name)) {
        case ONES -> Arrays.fill(v, 1f);
        case ZEROS -> {}
        case NORMAL -> {
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
          }
        }
        case FAN_IN -> {
          double bound = 1.0 / Math.sqrt(fanIn(shapes, name));
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
          }
        }
      }
      long[] ls = Arrays.stream(shape).asLongStream().toArray();
      try (TensorScope s = TensorScope.open()) {
        params.put(name, s.detach(device.placeFloat(Tensors.fromFloats(v, ls))));
      }
    }
    return params;
  }

  private static int fanIn(Map<String, int[]> shapes, String name) {
    String weight =
        name.endsWith(".bias") ? name.substring(0, name.length() - 5) + ".weight" : name;
    int[] w = shapes.get(weight);
    int f = 1;
    for (int i = 1; i < w.length; i++) {
      f *= w[i];
    }
    return f;
  }

  /**
   * Copies loaded tensors to float32 on a device (detached from every scope), checking that the
   * names are exactly the table's and every shape matches.
   *
   * @throws IllegalArgumentException naming the missing, unexpected or misshaped parameter
   */
  static Map<String, Tensor> checkedCopy(
      Map<String, int[]> shapes, Map<String, Tensor> tensors, DeviceOptions device) {
    checkArgument(
        shapes.keySet().equals(tensors.keySet()),
        "tensors must have exactly the parameters %s but had %s",
        shapes.keySet(),
        tensors.keySet());
    Map<String, Tensor> params = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : shapes.entrySet()) {
      Tensor t = tensors.get(e.getKey());
      Tensors.checkShape(t, e.getKey(), Arrays.stream(e.getValue()).asLongStream().toArray());
      try (TensorScope s = TensorScope.open()) {
        params.put(
            e.getKey(),
            s.detach(device.placeFloat(t.detach().to(ScalarType.Float).contiguous().clone())));
      }
    }
    return params;
  }

  /** Reads every tensor of a safetensors file and hands them to {@code build} (in one scope). */
  static <T> T load(Path file, Function<Map<String, Tensor>, T> build) throws IOException {
    try (TensorScope s = TensorScope.open();
        Safetensors st = Safetensors.open(file)) {
      Map<String, Tensor> m = new LinkedHashMap<>();
      for (String name : st.names()) {
        m.put(name, st.tensor(name));
      }
      return build.apply(m);
    }
  }

  /** A 2-D convolution with "same" padding for odd kernels. */
  static Tensor conv(Tensor x, Tensor weight, Tensor bias, int stride) {
    long pad = weight.size(2) / 2;
    return torch.conv2d(
        x,
        weight,
        new TensorOptional(bias),
        new long[] {stride, stride},
        new long[] {pad, pad},
        new long[] {1, 1},
        1);
  }

  /** GroupNorm in float32 with float32 parameters; returns the device's compute dtype. */
  static Tensor groupNorm(
      Tensor x, int groups, Tensor weight, Tensor bias, double eps, DeviceOptions device) {
    Tensor out =
        torch.group_norm(
            device.isReducedPrecision() ? x.to(ScalarType.Float) : x,
            groups,
            new TensorOptional(weight),
            new TensorOptional(bias),
            eps,
            false);
    return device.compute(out);
  }

  static void convShape(Map<String, int[]> m, String name, int in, int out, int k) {
    m.put(name + ".weight", new int[] {out, in, k, k});
    m.put(name + ".bias", new int[] {out});
  }

  static void linearShape(Map<String, int[]> m, String name, int in, int out) {
    m.put(name + ".weight", new int[] {out, in});
    m.put(name + ".bias", new int[] {out});
  }

  static void normShape(Map<String, int[]> m, String name, int c) {
    m.put(name + ".weight", new int[] {c});
    m.put(name + ".bias", new int[] {c});
  }
}
