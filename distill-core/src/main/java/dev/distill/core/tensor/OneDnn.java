package dev.distill.core.tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether LibTorch may use oneDNN (MKL-DNN) for its CPU kernels, decided once per JVM.
 *
 * <p>On AMD EPYC "Zen 5" processors (CPU family 26), oneDNN in the LibTorch 2.10 CPU build returned
 * wrong values here: with its AVX-512 kernels (the default) bfloat16 convolutions were off by up to
 * 0.75 where Intel CPUs give 0.01, a sample's result depended on the batch it was in, and float32
 * training produced NaN on most runs; limited to AVX2 ({@code DNNL_MAX_CPU_ISA=AVX2_VNNI}) it still
 * produced NaN in about one run in six of the same tests. With oneDNN switched off (LibTorch then
 * uses its own convolution kernels and OpenBLAS) the same tests passed every time (12 of 12 runs).
 * NNPACK, LibTorch's next choice for convolutions, is switched off with it (it could not initialise
 * there and warned at every convolution). The machine was a 2-vCPU Firecracker VM; whether
 * bare-metal Zen 5 is affected was not tested.
 *
 * <p>{@link #ensureConfigured()} applies the policy of the system property {@code distill.onednn}:
 * {@code auto} (the default: off on AMD CPU family 26, on elsewhere), {@code on} or {@code off}.
 * {@link TensorScope} calls it before the first scope opens, so a program that computes inside
 * scopes needs nothing else; a program that calls LibTorch first calls it itself. It applies {@link
 * HugePages}' policy first.
 *
 * <p>Thread safety: safe to call from any thread; the decision is made once.
 *
 * @since 0.1.0
 */
public final class OneDnn {
  /** The system property naming the policy: {@code auto}, {@code on} or {@code off}. */
  public static final String PROPERTY = "distill.onednn";

  private static final Logger LOG = LoggerFactory.getLogger(OneDnn.class);
  private static final Object LOCK = new Object();
  private static volatile Boolean enabled;

  private OneDnn() {}

  /**
   * Applies the {@code distill.onednn} policy to LibTorch once per JVM and returns the result.
   *
   * @return whether oneDNN is enabled for LibTorch's CPU kernels
   * @throws IllegalArgumentException if the property is not {@code auto}, {@code on} or {@code off}
   */
  public static boolean ensureConfigured() {
    Boolean done = enabled;
    if (done != null) {
      return done;
    }
    HugePages.ensureConfigured(); // before LibTorch's first CPU allocation
    synchronized (LOCK) {
      if (enabled == null) {
        boolean on = decide(System.getProperty(PROPERTY, "auto"), cpuInfo());
        torch.globalContext().setUserEnabledMkldnn(on);
        if (!on) {
          // without oneDNN LibTorch tries NNPACK for convolutions, which could not initialise on
          // the affected machine and printed a warning per convolution
          torch.globalContext().setUserEnabledNNPACK(false);
          LOG.info(
              "oneDNN is off for LibTorch's CPU kernels ({}={}; see OneDnn's Javadoc)",
              PROPERTY,
              System.getProperty(PROPERTY, "auto"));
        }
        enabled = on;
      }
      return enabled;
    }
  }

  /**
   * The policy as a pure function, for tests: whether oneDNN should be on.
   *
   * @param policy {@code auto}, {@code on} or {@code off} (any case)
   * @param cpuInfo the lines of {@code /proc/cpuinfo} (empty where it cannot be read)
   * @return whether to enable oneDNN
   * @throws IllegalArgumentException for another policy
   */
  static boolean decide(String policy, List<String> cpuInfo) {
    switch (policy.trim().toLowerCase(Locale.ROOT)) {
      case "on":
        return true;
      case "off":
        return false;
      case "auto":
        return !isAmdFamily26(cpuInfo);
      default:
        throw new IllegalArgumentException(
            PROPERTY + " must be auto, on or off but was '" + policy + "'");
    }
  }

  /** Whether the first processor in {@code /proc/cpuinfo} is an AMD CPU of family 26 (Zen 5). */
  static boolean isAmdFamily26(List<String> cpuInfo) {
    String vendor = field(cpuInfo, "vendor_id");
    String family = field(cpuInfo, "cpu family");
    return "AuthenticAMD".equals(vendor) && "26".equals(family);
  }

  private static String field(List<String> lines, String name) {
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return "";
  }

  private static List<String> cpuInfo() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return List.of(); // not Linux, or unreadable: no CPU-specific policy
    }
  }
}
