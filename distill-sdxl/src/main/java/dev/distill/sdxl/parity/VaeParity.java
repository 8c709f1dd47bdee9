package dev.distill.sdxl.parity;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.vae.AutoencoderKL;
import dev.distill.sdxl.vae.DiagonalGaussian;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Golden parity of {@link AutoencoderKL} against a fixture folder in diffusers layout (e.g. {@code
 * sdxl-tiny}): the model is loaded from {@code <root>/vae}; in {@code <root>/cases/vae.safetensors}
 * every {@code vae.<c>.image} is an encode case (outputs {@code mean, logvar, std}) and every
 * {@code vae.<c>.latents} a decode case (output {@code sample}).
 *
 * <p>Runs in float32 on the CPU without autograd. Stateless and thread-safe.
 */
final class VaeParity {
  /** Absolute tolerance of the encoder outputs (fixture README). */
  static final double ENCODE_ATOL = 5e-5;

  /** Absolute tolerance of the decoder output (fixture README). */
  static final double DECODE_ATOL = 1e-4;

  /** Relative tolerance of both (fixture README). */
  static final double RTOL = 1e-4;

  private static final Pattern IMAGE = Pattern.compile("vae\\.(.+)\\.image");
  private static final Pattern LATENTS = Pattern.compile("vae\\.(.+)\\.latents");

  private VaeParity() {}

  /**
   * Runs every encode and decode case.
   *
   * @param fixtureRoot the fixture folder (holds {@code vae/} and {@code cases/})
   * @return one result per compared output: {@code vae.<c>.mean/.logvar/.std} per encode case,
   *     {@code vae.<c>.sample} per decode case
   * @throws IOException if the model or the cases cannot be read
   * @throws IllegalArgumentException if the file holds no case
   */
  static List<CaseResult> run(Path fixtureRoot) throws IOException {
    checkNotNull(fixtureRoot, "fixtureRoot");
    List<CaseResult> results = new ArrayList<>();
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        Safetensors cases = Safetensors.open(fixtureRoot.resolve("cases/vae.safetensors"));
        AutoencoderKL vae =
            AutoencoderKL.load(fixtureRoot.resolve("vae"), ScalarType.Float, new Device("cpu"))) {
      TreeSet<String> encodes = new TreeSet<>();
      TreeSet<String> decodes = new TreeSet<>();
      for (String n : cases.names()) {
        Matcher m = IMAGE.matcher(n);
        if (m.matches()) {
          encodes.add(m.group(1));
        }
        m = LATENTS.matcher(n);
        if (m.matches()) {
          decodes.add(m.group(1));
        }
      }
      checkArgument(
          !encodes.isEmpty() || !decodes.isEmpty(),
          "%s must hold vae.<case>.image or vae.<case>.latents tensors",
          cases.file());
      for (String c : encodes) {
        try (TensorScope caseScope = TensorScope.open()) {
          String p = "vae." + c + ".";
          DiagonalGaussian dist = vae.encode(cases.tensor(p + "image").to(ScalarType.Float));
          results.add(compare(cases, p + "mean", dist.mean(), ENCODE_ATOL));
          results.add(compare(cases, p + "logvar", dist.logvar(), ENCODE_ATOL));
          results.add(compare(cases, p + "std", dist.std(), ENCODE_ATOL));
        }
      }
      for (String c : decodes) {
        try (TensorScope caseScope = TensorScope.open()) {
          String p = "vae." + c + ".";
          Tensor image = vae.decode(cases.tensor(p + "latents").to(ScalarType.Float));
          results.add(compare(cases, p + "sample", image, DECODE_ATOL));
        }
      }
    }
    return List.copyOf(results);
  }

  private static CaseResult compare(Safetensors cases, String name, Tensor actual, double atol) {
    if (!cases.contains(name)) {
      return CaseResult.missing(name, "reference tensor missing from " + cases.file());
    }
    return Compare.allClose(name, actual, cases.tensor(name), atol, RTOL);
  }
}
