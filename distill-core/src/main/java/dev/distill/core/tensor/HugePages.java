package dev.distill.core.tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether LibTorch's CPU allocator backs large tensors with transparent huge pages, decided once
 * per JVM.
 *
 * <p>LibTorch's CPU allocator does not pool: every tensor of more than glibc's 32 MB mmap threshold
 * is a fresh {@code mmap}, and its 4 KiB pages are faulted in one by one when first written. On the
 * 2-vCPU Firecracker VM we measure on, page faults are so expensive that they, not the arithmetic,
 * dominated student training: a ReLU over a {@code [256, 32, 32, 32]} batch took 96 ms (3 ms with
 * the pages already mapped) and one ConvNet-3 (width 32, batch 256) forward and backward 1.23 s.
 * LibTorch reads the environment variable {@code THP_MEM_ALLOC_ENABLE}: when set, allocations of 2
 * MB and more are 2 MB-aligned and advised {@code MADV_HUGEPAGE}, so one fault maps 2 MB; the same
 * forward and backward then took 0.25 s. It changes where tensors live, never their values. The
 * cost is up to 2 MB of address space rounding per large tensor.
 *
 * <p>{@link #ensureConfigured()} applies the policy of the system property {@code
 * distill.hugepages}: {@code auto} (the default: on where the kernel offers transparent huge pages
 * in {@code always} or {@code madvise} mode, unless {@code THP_MEM_ALLOC_ENABLE} is already set in
 * the environment, which then wins), {@code on} or {@code off}. LibTorch reads the variable once,
 * at its first CPU allocation, so the policy must be applied before any tensor is created: {@link
 * OneDnn#ensureConfigured()} (which {@link TensorScope#open()} and {@link Threads#set} call)
 * applies it first; a tensor created before either leaves LibTorch's choice as it was.
 *
 * <p>Thread safety: safe to call from any thread; the decision is made once.
 *
 * @since 0.1.0
 */
public final class HugePages {
  /** The system property naming the policy: {@code auto}, {@code on} or {@code off}. */
  public static final String PROPERTY = "distill.hugepages";

  /** The environment variable LibTorch's CPU allocator reads. */
  static final String VARIABLE = "THP_MEM_ALLOC_ENABLE";

  private static final Logger LOG = LoggerFactory.getLogger(HugePages.class);
  private static final Object LOCK = new Object();
  private static volatile Boolean enabled;

  private HugePages() {}

  /**
   * Applies the {@code distill.hugepages} policy once per JVM and returns the result.
   *
   * @return whether large CPU tensors are advised to use transparent huge pages
   * @throws IllegalArgumentException if the property is not {@code auto}, {@code on} or {@code off}
   */
  public static boolean ensureConfigured() {
    Boolean done = enabled;
    if (done != null) {
      return done;
    }
    synchronized (LOCK) {
      if (enabled == null) {
        String policy = System.getProperty(PROPERTY, "auto");
        String env = System.getenv(VARIABLE);
        boolean on = decide(policy, kernelMode(), env);
        if (env == null || !policy.trim().equalsIgnoreCase("auto")) {
          torch.set_env(VARIABLE, on ? "1" : "0", true);
        }
        LOG.debug(
            "transparent huge pages for LibTorch CPU tensors: {} ({}={})", on, PROPERTY, policy);
        enabled = on;
      }
      return enabled;
    }
  }

  /**
   * The policy as a pure function, for tests: whether to advise huge pages.
   *
   * @param policy {@code auto}, {@code on} or {@code off} (any case)
   * @param kernelMode the content of {@code /sys/kernel/mm/transparent_hugepage/enabled} (empty
   *     where it cannot be read)
   * @param env the value of {@code THP_MEM_ALLOC_ENABLE}, or null if unset
   * @return whether to advise huge pages
   * @throws IllegalArgumentException for another policy
   */
  static boolean decide(String policy, String kernelMode, String env) {
    switch (policy.trim().toLowerCase(Locale.ROOT)) {
      case "on":
        return true;
      case "off":
        return false;
      case "auto":
        if (env != null) {
          return !env.isBlank() && !env.trim().equals("0");
        }
        return kernelMode.contains("[always]") || kernelMode.contains("[madvise]");
      default:
        throw new IllegalArgumentException(
            PROPERTY + " must be auto, on or off but was '" + policy + "'");
    }
  }

  private static String kernelMode() {
    try {
      return Files.readString(
          Path.of("/sys/kernel/mm/transparent_hugepage/enabled"), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return ""; // not Linux, or no THP: leave LibTorch's default
    }
  }
}
