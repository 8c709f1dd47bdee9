package dev.distill.sdxl.internal.nn;

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
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The named weights of one model component (a diffusers sub-folder such as {@code unet/}), loaded
 * once from safetensors into the target dtype and device.
 *
 * <p>Floating-point weights are converted to {@code dtype} on {@code device}; when they already
 * have that dtype and the device is the CPU the memory-mapped view is kept as is (no copy), so no
 * weight is ever held twice. Pickle checkpoints ({@code .bin}, {@code .ckpt}, {@code .pt}, {@code
 * .pth}) are refused. Owns its tensors: close it when the model is closed. Reads are thread-safe
 * after loading; the tensors must not be modified.
 *
 * <p>{@link #generating} creates a weight source that makes up deterministic random weights of the
 * requested shapes on first request (for tests and benchmarks of model structures without
 * checkpoints); such an instance is confined to one thread while the model is being built.
 *
 * @since 0.1.0
 */
public final class ModelWeights implements AutoCloseable {
  private final String source;
  private final Map<String, Tensor> weights;
  private final Set<String> used = Collections.synchronizedSet(new TreeSet<>());
  private final List<Tensor> derived = Collections.synchronizedList(new ArrayList<>());
  private final RandomInit random;
  private boolean closed;

  private ModelWeights(String source, Map<String, Tensor> weights, RandomInit random) {
    this.source = source;
    this.weights = weights;
    this.random = random;
  }

  /** How {@link #generating} instances make up weights. */
  private record RandomInit(Generator generator, ScalarType dtype, Device device) {}

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
    for (String preferred : List.of("diffusion_pytorch_model.safetensors", "model.safetensors")) {
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
    return new ModelWeights(name + " (" + file + ")", Collections.unmodifiableMap(out), null);
  }

  /**
   * Wraps tensors the caller hands over (tests, randomly initialised models).
   *
   * @param source a name for messages
   * @param tensors detached tensors, now owned by the result
   * @return the weights
   */
  public static ModelWeights of(String source, Map<String, Tensor> tensors) {
    checkNotNull(tensors, "tensors");
    return new ModelWeights(
        source, Collections.unmodifiableMap(new LinkedHashMap<>(tensors)), null);
  }

  /**
   * A weight source that creates every requested weight on first {@link #get}: seeded normal
   * values, {@code 1 + 0.1·N(0,1)} for 1-D weights (norm scales), {@code 0.02·N(0,1)} for biases,
   * {@code N(0,1)/sqrt(fan_in)} otherwise. Building a model from it yields a randomly initialised
   * model whose weights can then be saved with {@link #tensors()} (e.g. through {@code
   * Safetensors.write}).
   *
   * @param source a name for messages
   * @param dtype the floating-point dtype of the created weights
   * @param device the device of the created weights
   * @param seed the seed of the CPU generator the values are drawn from
   * @return an empty, generating weight source
   */
  public static ModelWeights generating(String source, ScalarType dtype, Device device, long seed) {
    checkNotNull(source, "source");
    checkNotNull(dtype, "dtype");
    checkNotNull(device, "device");
    Generator generator;
    Device owned;
    try (TensorScope scope = TensorScope.open()) {
      generator = scope.detach(torch.createCPUGenerator(seed));
      owned = scope.detach(new Device(device.str().getString()));
    }
    return new ModelWeights(
        source + " (random, seed " + seed + ")",
        new LinkedHashMap<>(),
        new RandomInit(generator, dtype, owned));
  }

  private Tensor create(String name, long[] shape) {
    for (long d : shape) {
      checkArgument(
          d >= 0,
          "weight '%s' must have a fully known shape to be generated but was %s",
          name,
          Arrays.toString(shape));
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor n =
          torch.randn(
              shape,
              new GeneratorOptional(random.generator()),
              new TensorOptions(ScalarType.Float));
      Tensor t;
      if (name.endsWith("bias")) {
        t = n.mul(new Scalar(0.02));
      } else if (shape.length == 1) {
        t = n.mul(new Scalar(0.1)).add(new Scalar(1.0));
      } else {
        long fanIn = Tensors.numel(shape) / Math.max(1, shape[0]);
        t = n.mul(new Scalar(1.0 / Math.sqrt(Math.max(1, fanIn))));
      }
      return scope.detach(t.to(random.device(), random.dtype()));
    }
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
    checkNotNull(name, "name");
    Tensor t = weights.get(name);
    if (t == null && random != null) {
      t = create(name, expectedShape);
      weights.put(name, t);
    }
    checkArgument(
        t != null, "weight '%s' must exist in %s but is missing%s", name, source, nearest(name));
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

  /**
   * A 2-D {@code [out, in]} weight (a linear layer's) that may also be stored as a 1×1 convolution
   * kernel {@code [out, in, 1, 1]} (old LDM-format attention weights); the latter is returned as a
   * 2-D view.
   *
   * @param name the full weight name
   * @param out the expected output features
   * @param in the expected input features
   * @return the {@code [out, in]} weight (owned by this object; do not close or modify)
   * @throws IllegalArgumentException if missing or of another shape
   */
  public Tensor getMatrix(String name, long out, long in) {
    Tensor t = weights.get(name);
    if (t == null || t.dim() != 4) {
      return get(name, out, in);
    }
    Tensor conv = get(name, out, in, 1, 1);
    try (TensorScope scope = TensorScope.open()) {
      Tensor view = scope.detach(conv.view(out, in));
      derived.add(view);
      return view;
    }
  }

  /**
   * The first of several alternative spellings of a weight name that is present (for legacy
   * checkpoints), or the first one if none is (so that {@link #get} reports it as missing).
   *
   * @param candidates the names, preferred first
   * @return one of the candidates
   */
  public String resolve(String... candidates) {
    checkArgument(candidates.length > 0, "candidates must not be empty");
    for (String c : candidates) {
      if (weights.containsKey(c)) {
        return c;
      }
    }
    return candidates[0];
  }

  /**
   * Checks that a model used every weight (a leftover weight means the config and the checkpoint
   * disagree, e.g. a wrong {@code transformer_layers_per_block}).
   *
   * @throws IllegalArgumentException listing the unused weights
   */
  public void checkAllUsed() {
    Set<String> unused = unused();
    if (!unused.isEmpty()) {
      List<String> shown = new ArrayList<>(unused).subList(0, Math.min(20, unused.size()));
      throw new IllegalArgumentException(
          String.format(
              "every weight in %s must be used by the model built from its config, but %d were"
                  + " not: %s%s",
              source, unused.size(), shown, unused.size() > shown.size() ? " ..." : ""));
    }
  }

  /** The tensors by name (unmodifiable view; owned by this object). */
  public Map<String, Tensor> tensors() {
    return Collections.unmodifiableMap(weights);
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

  /** All weight names (unmodifiable view). */
  public Set<String> names() {
    return Collections.unmodifiableSet(weights.keySet());
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
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    derived.forEach(Tensor::close);
    derived.clear();
    weights.values().forEach(Tensor::close);
    if (random != null) {
      random.generator().close();
      random.device().close();
    }
  }
}
