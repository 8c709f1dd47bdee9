package dev.distill.core.tensor;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Where a model runs and in which precision: the device and dtype option of the built-in diffusion
 * model, its trainer, the students, the teachers and the evaluator (the same idea as distill-sdxl's
 * {@code SdxlOptions}).
 *
 * <p><b>Precision policy (mixed precision).</b> With a reduced {@code dtype} ({@code BFloat16} or
 * {@code Half}) the parameters stay float32 on the device (master weights, so optimiser steps and
 * EMA updates are not lost to rounding); each forward casts the weights and activations of
 * convolutions, linear layers and attention matmuls to {@code dtype}, runs normalisation layers
 * (group, instance and batch norm, with their running statistics) and softmax in float32, and
 * returns float32 outputs, so losses, schedulers and optimiser state are float32. This is what
 * PyTorch's {@code autocast} does, written out. {@code Float} runs everything in float32.
 *
 * <p><b>Bad combinations</b> are rejected at construction with a message naming both values: {@code
 * Half} on the CPU (LibTorch's CPU fp16 kernels are incomplete and slow; use {@code BFloat16}), a
 * CPU index other than 0, a negative CUDA index, a dtype other than Float, Half or BFloat16.
 * Whether the device exists on this machine is checked when a model is placed on it ({@link
 * #checkAvailable()}), so a config naming CUDA can be written and read on a CPU machine.
 *
 * <p>Tensors handed back to callers (images, reports, embeddings) stay float32 on the CPU whatever
 * these options say. A value type: immutable, thread-safe, round-trips through JSON (Jackson writes
 * the dtype by its enum name, e.g. {@code "BFloat16"}).
 *
 * @param kind the device kind
 * @param index the device index: 0 for the CPU, the CUDA ordinal for CUDA
 * @param dtype the compute dtype: {@code Float}, {@code BFloat16} or (CUDA only) {@code Half}
 * @since 0.1.0
 */
public record DeviceOptions(Kind kind, int index, ScalarType dtype) {

  /** The device kinds distill runs on. */
  public enum Kind {
    /** The CPU (always available). */
    CPU,
    /** An NVIDIA GPU; needs LibTorch's CUDA natives (the {@code gpu} Maven profile). */
    CUDA
  }

  /** Validates and canonicalises the dtype. */
  public DeviceOptions {
    checkNotNull(kind, "kind");
    checkNotNull(dtype, "dtype");
    dtype = dtype.intern();
    checkArgument(
        dtype == ScalarType.Float || dtype == ScalarType.BFloat16 || dtype == ScalarType.Half,
        "dtype must be Float, BFloat16 or Half but was %s",
        dtype);
    if (kind == Kind.CPU) {
      checkArgument(index == 0, "index must be 0 for the CPU but was %s", index);
      checkArgument(
          dtype != ScalarType.Half,
          "dtype Half must run on CUDA but the device was cpu (use BFloat16 on the CPU)");
    } else {
      checkArgument(index >= 0, "index must be >= 0 for CUDA but was %s", index);
    }
  }

  /** float32 on the CPU: the default everywhere. */
  public static DeviceOptions cpu() {
    return new DeviceOptions(Kind.CPU, 0, ScalarType.Float);
  }

  /**
   * The CPU in a given precision (BFloat16 to exercise the reduced-precision path).
   *
   * @param dtype Float or BFloat16
   * @return the options
   * @throws IllegalArgumentException for Half or a non-float dtype
   */
  public static DeviceOptions cpu(ScalarType dtype) {
    return new DeviceOptions(Kind.CPU, 0, dtype);
  }

  /**
   * The first CUDA device.
   *
   * @param dtype Float, BFloat16 or Half
   * @return the options
   */
  public static DeviceOptions cuda(ScalarType dtype) {
    return new DeviceOptions(Kind.CUDA, 0, dtype);
  }

  /**
   * A CUDA device by ordinal.
   *
   * @param index the CUDA ordinal, {@code >= 0}
   * @param dtype Float, BFloat16 or Half
   * @return the options
   */
  public static DeviceOptions cuda(int index, ScalarType dtype) {
    return new DeviceOptions(Kind.CUDA, index, dtype);
  }

  /**
   * Parses a LibTorch device name, for command lines.
   *
   * @param device {@code "cpu"}, {@code "cuda"} or {@code "cuda:N"}
   * @param dtype the dtype
   * @return the options
   * @throws IllegalArgumentException if the name is not one of those forms, or the combination is
   *     bad
   */
  public static DeviceOptions of(String device, ScalarType dtype) {
    checkNotNull(device, "device");
    String d = device.trim().toLowerCase(java.util.Locale.ROOT);
    if (d.equals("cpu")) {
      return cpu(dtype);
    }
    if (d.equals("cuda")) {
      return cuda(dtype);
    }
    if (d.startsWith("cuda:")) {
      try {
        return cuda(Integer.parseInt(d.substring(5)), dtype);
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException("device must be cpu, cuda or cuda:N but was " + device);
  }

  /** A copy with another dtype. */
  public DeviceOptions withDtype(ScalarType other) {
    return new DeviceOptions(kind, index, other);
  }

  /** The LibTorch device name: {@code "cpu"} or {@code "cuda:N"}. */
  public String deviceName() {
    return kind == Kind.CPU ? "cpu" : "cuda:" + index;
  }

  /** Whether this is the CPU. */
  @JsonIgnore
  public boolean isCpu() {
    return kind == Kind.CPU;
  }

  /** Whether the compute dtype is a 16-bit float (BFloat16 or Half). */
  @JsonIgnore
  public boolean isReducedPrecision() {
    return dtype != ScalarType.Float;
  }

  /**
   * The LibTorch device.
   *
   * @return a new device object, owned by the caller's current {@link TensorScope}
   */
  public Device device() {
    return new Device(deviceName());
  }

  /**
   * Checks that this machine has the device.
   *
   * @throws IllegalStateException if CUDA is asked for but LibTorch sees no (or too few) CUDA
   *     devices (the CPU-only natives are on the class path, or no GPU is visible)
   */
  public void checkAvailable() {
    if (kind == Kind.CUDA) {
      checkState(
          torch.cuda_is_available(),
          "device %s must be available but LibTorch sees no CUDA device (add the CUDA natives,"
              + " e.g. the gpu Maven profile, and check CUDA_VISIBLE_DEVICES)",
          deviceName());
      int count = torch.cuda_device_count();
      checkState(
          index < count,
          "device %s must be available but LibTorch sees %s CUDA devices",
          deviceName(),
          count);
    }
  }

  /**
   * Whether a tensor lives on this device.
   *
   * @param t the tensor
   * @return true if its device is this one
   */
  public boolean holds(Tensor t) {
    checkNotNull(t, "t");
    try (TensorScope s = TensorScope.open()) {
      Device d = t.device();
      if (kind == Kind.CPU) {
        return d.type().value == torch.DeviceType.CPU.value;
      }
      return d.is_cuda() && (d.has_index() ? d.index() : 0) == index;
    }
  }

  /**
   * Checks that a tensor lives on this device.
   *
   * @param t the tensor
   * @param name its name in the message
   * @throws IllegalArgumentException naming the expected and actual device and the shape
   */
  public void checkOn(Tensor t, String name) {
    if (!holds(t)) {
      try (TensorScope s = TensorScope.open()) {
        throw new IllegalArgumentException(
            String.format(
                "%s must be on %s but was on %s (shape %s)",
                name,
                deviceName(),
                t.device().str().getString(),
                Arrays.toString(Tensors.shape(t))));
      }
    }
  }

  /**
   * Moves a tensor to this device, keeping its dtype.
   *
   * @param t the tensor
   * @return {@code t} itself if already here, else a copy; owned by the caller's current scope
   */
  public Tensor place(Tensor t) {
    checkNotNull(t, "t");
    if (holds(t)) {
      return t;
    }
    try (TensorScope s = TensorScope.open()) {
      return s.keep(t.to(device(), t.scalar_type().intern()));
    }
  }

  /**
   * Moves a tensor to this device as float32 (master weights, losses, latents).
   *
   * @param t a tensor
   * @return the tensor on this device in float32, owned by the caller's current scope
   */
  public Tensor placeFloat(Tensor t) {
    checkNotNull(t, "t");
    try (TensorScope s = TensorScope.open()) {
      return s.keep(t.to(device(), ScalarType.Float));
    }
  }

  /**
   * Casts a floating tensor to the compute dtype (a no-op for Float).
   *
   * @param t a tensor on this device
   * @return {@code t} in {@link #dtype()}, owned by the caller's current scope
   */
  public Tensor compute(Tensor t) {
    return isReducedPrecision() ? t.to(dtype) : t;
  }

  @Override
  public String toString() {
    return deviceName() + "/" + dtype;
  }
}
