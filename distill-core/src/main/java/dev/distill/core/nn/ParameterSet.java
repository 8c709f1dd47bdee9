package dev.distill.core.nn;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The named tensors of a model: trainable parameters (float32, {@code requires_grad}, on the
 * model's device) and buffers (running statistics, no grad), in registration order, with PyTorch
 * {@code state_dict} names ({@code features.0.weight}, {@code layer1.0.bn1.running_mean}, ...).
 *
 * <p>Owns its tensors: they live outside every {@code TensorScope} and are freed by {@link
 * #close()}. The accessors return the owned tensors (do not close them). Loading copies values in
 * place, so an optimizer built over {@link #trainableVector()} keeps working. Not thread-safe.
 *
 * @since 0.1.0
 */
public final class ParameterSet implements AutoCloseable {
  private final Map<String, Tensor> parameters = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private boolean closed;

  /** Creates an empty set. */
  public ParameterSet() {}

  /**
   * Registers a trainable parameter with the given values.
   *
   * @param name a unique name
   * @param values the initial values, row-major
   * @param shape the shape
   * @return the new tensor (float32, CPU, requires grad), owned by this set
   * @throws IllegalArgumentException if the name is taken or the sizes disagree
   */
  public Tensor addParameter(String name, float[] values, long... shape) {
    Tensor t = register(name, values, shape);
    t.set_requires_grad(true);
    parameters.put(name, t);
    return t;
  }

  /**
   * Registers a buffer (not trained by gradient, e.g. batch-norm running statistics).
   *
   * @param name a unique name
   * @param values the initial values
   * @param shape the shape
   * @return the new tensor (float32, CPU, no grad), owned by this set
   */
  public Tensor addBuffer(String name, float[] values, long... shape) {
    Tensor t = register(name, values, shape);
    buffers.put(name, t);
    return t;
  }

  private Tensor register(String name, float[] values, long[] shape) {
    checkState(!closed, "parameter set must be open but was closed");
    checkNotNull(name, "name");
    checkArgument(
        !parameters.containsKey(name) && !buffers.containsKey(name),
        "name must be unique but %s was already registered",
        name);
    try (TensorScope s = TensorScope.open()) {
      return s.detach(Tensors.fromFloats(values, shape));
    }
  }

  /**
   * A parameter or buffer by name.
   *
   * @param name the name
   * @return the owned tensor
   * @throws IllegalArgumentException if there is no such tensor
   */
  public Tensor get(String name) {
    checkState(!closed, "parameter set must be open but was closed");
    Tensor t = parameters.get(name);
    if (t == null) {
      t = buffers.get(name);
    }
    checkArgument(t != null, "name must be a registered tensor but was %s", name);
    return t;
  }

  /** The trainable parameters by name, in registration order (unmodifiable view). */
  public Map<String, Tensor> trainable() {
    return Collections.unmodifiableMap(parameters);
  }

  /** The buffers by name, in registration order (unmodifiable view). */
  public Map<String, Tensor> buffers() {
    return Collections.unmodifiableMap(buffers);
  }

  /** Parameters then buffers by name (a new unmodifiable map). */
  public Map<String, Tensor> all() {
    Map<String, Tensor> all = new LinkedHashMap<>(parameters);
    all.putAll(buffers);
    return Collections.unmodifiableMap(all);
  }

  /**
   * The trainable parameters as a native vector for a LibTorch optimizer.
   *
   * @return a new vector, owned by the caller's current scope (it references, not copies, the
   *     parameters)
   */
  public TensorVector trainableVector() {
    return new TensorVector(parameters.values().toArray(new Tensor[0]));
  }

  /** The number of trainable scalars. */
  public long count() {
    long n = 0;
    for (Tensor t : parameters.values()) {
      n += t.numel();
    }
    return n;
  }

  /**
   * Writes every parameter and buffer to a safetensors file.
   *
   * @param file the destination (written atomically)
   * @param metadata string metadata for the header (e.g. the architecture config)
   * @throws IOException if writing fails
   */
  public void save(Path file, Map<String, String> metadata) throws IOException {
    checkState(!closed, "parameter set must be open but was closed");
    try (TensorScope s = TensorScope.open()) {
      Map<String, Tensor> detached = new LinkedHashMap<>();
      all().forEach((k, v) -> detached.put(k, v.detach()));
      Safetensors.write(file, detached, metadata);
    }
  }

  /**
   * Copies values from a safetensors file into this set, in place.
   *
   * @param file a file holding exactly this set's names (PyTorch's {@code num_batches_tracked}
   *     counters are ignored), with the same shapes (any float dtype)
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if names are missing or unexpected, or a shape differs
   */
  public void load(Path file) throws IOException {
    try (Safetensors st = Safetensors.open(file)) {
      load(st);
    }
  }

  /**
   * Copies values from an open safetensors file into this set, in place.
   *
   * @param st the file
   * @throws IllegalArgumentException if names are missing or unexpected, or a shape differs
   */
  public void load(Safetensors st) {
    checkState(!closed, "parameter set must be open but was closed");
    Map<String, Tensor> all = all();
    TreeSet<String> missing = new TreeSet<>(all.keySet());
    missing.removeAll(st.names());
    TreeSet<String> unexpected = new TreeSet<>(st.names());
    unexpected.removeAll(all.keySet());
    // PyTorch's BatchNorm2d counter; unused here (momentum is fixed)
    unexpected.removeIf(n -> n.endsWith(".num_batches_tracked"));
    checkArgument(
        missing.isEmpty() && unexpected.isEmpty(),
        "weights file %s must hold exactly the model's tensors but was missing %s and had"
            + " unexpected %s",
        st.file(),
        missing,
        unexpected);
    try (TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : all.entrySet()) {
        Tensor src = st.tensor(e.getKey());
        Tensor dst = e.getValue();
        checkArgument(
            Arrays.equals(Tensors.shape(src), Tensors.shape(dst)),
            "tensor %s in %s must have shape %s but had %s",
            e.getKey(),
            st.file(),
            Arrays.toString(Tensors.shape(dst)),
            Arrays.toString(Tensors.shape(src)));
        dst.copy_(src.to(ScalarType.Float));
      }
    }
  }

  /**
   * Copies every value from another set with the same names and shapes (e.g. to clone a model).
   *
   * @param other the source
   * @throws IllegalArgumentException if the names or shapes differ
   */
  public void copyFrom(ParameterSet other) {
    checkState(!closed, "parameter set must be open but was closed");
    Map<String, Tensor> mine = all();
    Map<String, Tensor> theirs = other.all();
    checkArgument(
        mine.keySet().equals(theirs.keySet()),
        "other must have the names %s but had %s",
        mine.keySet(),
        theirs.keySet());
    try (TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : mine.entrySet()) {
        e.getValue().copy_(theirs.get(e.getKey()));
      }
    }
  }

  /**
   * Moves every tensor to a device as float32 (the master weights of {@link DeviceOptions}), in
   * place of the CPU originals; call before any optimiser is built over {@link #trainableVector()}.
   *
   * @param options the device (the dtype is not used: parameters stay float32)
   * @throws IllegalStateException if the set is closed or the device is not available
   */
  public void placeOn(DeviceOptions options) {
    checkState(!closed, "parameter set must be open but was closed");
    if (options.isCpu()) {
      return;
    }
    options.checkAvailable();
    placeAll(parameters, options, true);
    placeAll(buffers, options, false);
  }

  private static void placeAll(Map<String, Tensor> m, DeviceOptions options, boolean grad) {
    for (Map.Entry<String, Tensor> e : m.entrySet()) {
      Tensor old = e.getValue();
      try (TensorScope s = TensorScope.open()) {
        Tensor moved = s.detach(options.placeFloat(old.detach()).detach());
        if (grad) {
          moved.set_requires_grad(true);
        }
        e.setValue(moved);
      }
      old.close();
    }
  }

  /** The names of parameters then buffers. */
  public List<String> names() {
    return List.copyOf(new ArrayList<>(all().keySet()));
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      parameters.values().forEach(Tensor::close);
      buffers.values().forEach(Tensor::close);
    }
  }

  /**
   * PyTorch's default initialisation of conv and linear layers ({@code kaiming_uniform_(a=√5)} for
   * weights, {@code U(±1/√fanIn)} for biases; both reduce to {@code U(-1/√fanIn, 1/√fanIn)}).
   *
   * @param rng the random source
   * @param n the number of values
   * @param fanIn the fan-in of the layer
   * @return the values
   */
  static float[] uniformFanIn(SplittableRandom rng, int n, long fanIn) {
    double bound = 1.0 / Math.sqrt(fanIn);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((rng.nextDouble() * 2.0 - 1.0) * bound);
    }
    return v;
  }

  /** An array filled with one value. */
  static float[] filled(int n, float value) {
    float[] v = new float[n];
    Arrays.fill(v, value);
    return v;
  }
}
