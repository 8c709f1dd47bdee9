package dev.distill.sdxl.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The named weights of one model component (a diffusers sub-folder such as {@code unet/}), loaded
 * once from safetensors into the target dtype and device.
 *
 * <p>Floating-point weights are converted to {@code dtype} on {@code device}; when they already have
 * that dtype and the device is the CPU the memory-mapped view is kept as is (no copy), so no weight
 * is ever held twice. Pickle checkpoints ({@code .bin}, {@code .ckpt}, {@code .pt}, {@code .pth})
 * are refused. Owns its tensors: close it when the model is closed. Reads are thread-safe after
 * loading; the tensors must not be modified.
 *
 * @since 0.1.0
 */
public final class ModelWeights implements AutoCloseable {
  private final String source;
  private final Map<String, Tensor> weights;
  private final Set<String> used = Collections.synchronizedSet(new TreeSet<>());

  private ModelWeights(String source, Map<String, Tensor> weights) {
    this.source = source;
    this.weights = weights;
  }

  /**
   * Loads the safetensors weights of a component folder.
   *
   * <p>Picks {@code diffusion_pytorch_model.safetensors} or {@code model.safetensors}, else {@code
   * *.fp16.safetensors}, else the only {@code *.safetensors} file.
   *
   * @param componentDir the folder (e.g. {@code <pipeline>/unet})
   * @param dtype the floating-point dtype to hold the weights in
   * @param device the device to hold them on
   * @return the weights
   * @throws NoSuchFileException if the folder or its weights are missing
   * @throws IOException if the file is malformed, or only pickle checkpoints exist
   */
  public static ModelWeights load(Path componentDir, ScalarType dtype, Device device)
      throws IOException {
    checkNotNull(componentDir, "componentDir");
    if (!Files.isDirectory(componentDir)) {
      throw new NoSuchFileException(componentDir.toString(), null, "model folder not found");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(componentDir)) {
      files = s.sorted().toList();
    }
    Path chosen = null;
    for (String preferred :
        List.of("diffusion_pytorch_model.safetensors", "model.safetensors")) {
      if (files.contains(componentDir.resolve(preferred))) {
        chosen = componentDir.resolve(preferred);
        break;
      }
    }
    List<Path> safes =
        files.stream().filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList();
    if (chosen == null && !safes.isEmpty()) {
      chosen =
          safes.stream()
              .filter(p -> p.getFileName().toString().endsWith(".fp16.safetensors"))
              .findFirst()
              .orElse(safes.get(0));
    }
    if (chosen == null) {
      List<Path> pickles =
          files.stream()
              .filter(
                  p -> {
                    String n = p.getFileName().toString();
                    return n.endsWith(".bin")
                        || n.endsWith(".ckpt")
                        || n.endsWith(".pt")
                        || n.endsWith(".pth");
                  })
              .toList();
      if (!pickles.isEmpty()) {
        throw new IOException(
            "refusing pickle checkpoint "
                + pickles.get(0)
                + ": distill loads safetensors only (pickle can run arbitrary code); convert it,"
                + " e.g. with diffusers' save_pretrained(..., safe_serialization=True)");
      }
      throw new NoSuchFileException(
          componentDir.toString(), null, "no *.safetensors weights in the folder");
    }
    return load(chosen, componentDir.getFileName().toString(), dtype, device);
  }

  /**
   * Loads weights from one safetensors file.
   *
   * @param file the file
   * @param name a component name for messages
   * @param dtype floating-point target dtype
   * @param device target device
   * @return the weights
   * @throws IOException if the file is malformed
   */
  public static ModelWeights load(Path file, String name, ScalarType dtype, Device device)
      throws IOException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (Safetensors st = Safetensors.open(file);
        TensorScope scope = TensorScope.open()) {
      for (String n : st.names()) {
        Tensor t = st.tensor(n);
        if (t.is_floating_point()) {
          boolean same = t.scalar_type().value == dtype.value && device.is_cpu();
          t = same ? t : t.to(device, dtype);
        } else if (!device.is_cpu()) {
          t = t.to(device, t.scalar_type());
        }
        out.put(n, scope.detach(t));
      }
    }
    return new ModelWeights(name + " (" + file + ")", Collections.unmodifiableMap(out));
  }

  /**
   * Wraps tensors the caller hands over (tests, randomly initialised models).
   *
   * @param source a name for messages
   * @param tensors detached tensors, now owned by the result
   * @return the weights
   */
  public static ModelWeights of(String source, Map<String, Tensor> tensors) {
    return new ModelWeights(source, Collections.unmodifiableMap(new LinkedHashMap<>(tensors)));
  }

  /** Whether a weight exists. */
  public boolean has(String name) {
    return weights.containsKey(name);
  }

  /**
   * A weight with a shape check.
   *
   * @param name the full weight name (e.g. {@code down_blocks.1.resnets.0.conv1.weight})
   * @param expectedShape the shape the config implies ({@code -1} = any size)
   * @return the weight (owned by this object; do not close or modify)
   * @throws IllegalArgumentException if missing or of another shape (names the weight and both
   *     shapes)
   */
  public Tensor get(String name, long... expectedShape) {
    Tensor t = weights.get(name);
    checkArgument(
        t != null,
        "weight '%s' must exist in %s but is missing%s",
        name,
        source,
        nearest(name));
    long[] actual = Tensors.shape(t);
    boolean ok = actual.length == expectedShape.length;
    for (int i = 0; ok && i < actual.length; i++) {
      ok = expectedShape[i] < 0 || expectedShape[i] == actual[i];
    }
    checkArgument(
        ok,
        "weight '%s' in %s must have shape %s (from the config) but has %s",
        name,
        source,
        Arrays.toString(expectedShape),
        Arrays.toString(actual));
    used.add(name);
    return t;
  }

  private String nearest(String name) {
    int dot = name.lastIndexOf('.');
    String prefix = dot > 0 ? name.substring(0, dot) : name;
    List<String> similar = new ArrayList<>();
    for (String k : weights.keySet()) {
      if (k.startsWith(prefix) && similar.size() < 5) {
        similar.add(k);
      }
    }
    return similar.isEmpty() ? "" : " (present with that prefix: " + similar + ")";
  }

  /** All weight names (immutable). */
  public Set<String> names() {
    return weights.keySet();
  }

  /** Weight names never fetched through {@link #get} (to catch config/weights mismatches). */
  public Set<String> unused() {
    Set<String> s = new TreeSet<>(weights.keySet());
    s.removeAll(used);
    return s;
  }

  /** Where the weights came from. */
  public String source() {
    return source;
  }

  @Override
  public void close() {
    weights.values().forEach(Tensor::close);
  }
}
