package dev.distill.bench;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceTerm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/** Small helpers shared by the runners and benchmarks: guidance kinds and process memory. */
public final class BenchSupport {
  private BenchSupport() {}

  /** The guidance variants a throughput run or benchmark can measure. */
  public enum GuidanceKind {
    /** No guidance term: the UNet runs without autograd. */
    NONE,
    /** A term on ẑ0 only (no decoder): {@code sum(ẑ0²)}, UNet without autograd. */
    Z0,
    /** A term on the decoded x̂0: {@code mean(x̂0²)}, gradient through the VAE decoder only. */
    DECODER,
    /** The decoder term with the gradient also taken through the UNet (THROUGH_DENOISER). */
    UNET;

    /** The term this kind adds, empty for {@link #NONE}. */
    public Optional<GuidanceTerm> term() {
      return switch (this) {
        case NONE -> Optional.empty();
        case Z0 -> Optional.of(ctx -> ctx.predictedLatents().square().sum());
        case DECODER, UNET -> Optional.of(ctx -> ctx.predictedImages().square().mean());
      };
    }

    /** The gradient mode this kind runs with. */
    public GradientMode gradientMode() {
      return this == UNET ? GradientMode.THROUGH_DENOISER : GradientMode.DECODER_ONLY;
    }

    /**
     * Parses {@code none|z0|decoder|unet}.
     *
     * @param s the name, any case
     * @return the kind
     */
    public static GuidanceKind parse(String s) {
      for (GuidanceKind k : values()) {
        if (k.name().equalsIgnoreCase(s)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "guidance must be one of none|z0|decoder|unet but was " + s);
    }
  }

  /**
   * A field of {@code /proc/self/status} in kB (e.g. {@code VmHWM}, the peak resident set size).
   *
   * @param field the field name without the colon
   * @return the value in kB, or -1 where /proc is not available
   */
  public static long procStatusKb(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** Peak RSS of this process in MiB (VmHWM), or -1. */
  public static double peakRssMib() {
    long kb = procStatusKb("VmHWM");
    return kb < 0 ? -1 : kb / 1024.0;
  }

  /**
   * CPU time consumed by this process so far, in seconds (all threads, native included); with one
   * LibTorch thread on a shared machine this is a load-independent measure of the work done.
   */
  public static double processCpuSeconds() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  /** Median of a non-empty array (the array is sorted in place). */
  public static double median(double[] xs) {
    checkArgument(xs.length > 0, "xs must not be empty but had length %s", xs.length);
    Arrays.sort(xs);
    int n = xs.length;
    return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
  }

  /**
   * A dtype by name.
   *
   * @param name {@code float32}, {@code bfloat16} or {@code float16}
   * @return the LibTorch scalar type
   * @throws IllegalArgumentException for another name
   */
  public static org.bytedeco.pytorch.global.torch.ScalarType dtype(String name) {
    return switch (name) {
      case "float32" -> org.bytedeco.pytorch.global.torch.ScalarType.Float;
      case "bfloat16" -> org.bytedeco.pytorch.global.torch.ScalarType.BFloat16;
      case "float16" -> org.bytedeco.pytorch.global.torch.ScalarType.Half;
      default ->
          throw new IllegalArgumentException(
              "dtype must be float32, bfloat16 or float16 but was " + name);
    };
  }
}
