package dev.distill.sdxl.parity;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.unet.UNet2DConditionModel;
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
 * Golden parity of {@link UNet2DConditionModel} against a fixture folder in diffusers layout (e.g.
 * {@code sdxl-tiny}): the model is loaded from {@code <root>/unet}, and every case {@code <c>}
 * found in {@code <root>/cases/unet.safetensors} as {@code unet.<c>.out} is run from its inputs
 * {@code unet.<c>.sample, .timestep, .encoder_hidden_states} (and {@code .text_embeds, .time_ids}
 * when present) and compared with the reference output.
 *
 * <p>Runs on the CPU without autograd. Stateless and thread-safe.
 */
final class UNetParity {
  /** Absolute tolerance of float32 runs against the float32 reference (fixture README). */
  static final double ATOL = 5e-5;

  /** Relative tolerance of float32 runs (fixture README). */
  static final double RTOL = 1e-4;

  /**
   * Absolute tolerance of float64 runs against the {@code .f64} reference. Both sides compute the
   * sinusoidal time embeddings in float32 (as diffusers does), so differences of a float32 ulp in
   * {@code sin/cos} propagate; observed ~1e-8.
   */
  static final double ATOL_F64 = 1e-7;

  /** Relative tolerance of float64 runs. */
  static final double RTOL_F64 = 1e-6;

  private static final Pattern OUT = Pattern.compile("unet\\.(.+)\\.out");

  private UNetParity() {}

  /**
   * Runs every case in float32 with the fixture tolerances.
   *
   * @param fixtureRoot the fixture folder (holds {@code unet/} and {@code cases/})
   * @return one result per case, in case-name order
   * @throws IOException if the model or the cases cannot be read
   */
  static List<CaseResult> run(Path fixtureRoot) throws IOException {
    return run(fixtureRoot, ScalarType.Float);
  }

  /**
   * Runs every case in float32 (against {@code out}, tolerances {@link #ATOL}/{@link #RTOL}) or
   * float64 (against {@code out.f64}, tolerances {@link #ATOL_F64}/{@link #RTOL_F64}).
   *
   * @param fixtureRoot the fixture folder
   * @param dtype {@code Float} or {@code Double}
   * @return one result per case, in case-name order
   * @throws IOException if the model or the cases cannot be read
   * @throws IllegalArgumentException if the dtype is another one, or the file holds no case
   */
  static List<CaseResult> run(Path fixtureRoot, ScalarType dtype) throws IOException {
    checkNotNull(fixtureRoot, "fixtureRoot");
    boolean f64 = dtype.value == ScalarType.Double.value;
    checkArgument(
        f64 || dtype.value == ScalarType.Float.value,
        "dtype must be Float or Double but was %s",
        dtype);
    String suffix = f64 ? ".out.f64" : ".out";
    double atol = f64 ? ATOL_F64 : ATOL;
    double rtol = f64 ? RTOL_F64 : RTOL;
    List<CaseResult> results = new ArrayList<>();
    try (TensorScope scope = TensorScope.open();
        NoGradGuard noGrad = new NoGradGuard();
        Safetensors cases = Safetensors.open(fixtureRoot.resolve("cases/unet.safetensors"));
        UNet2DConditionModel unet =
            UNet2DConditionModel.load(fixtureRoot.resolve("unet"), dtype, new Device("cpu"))) {
      TreeSet<String> names = new TreeSet<>();
      for (String n : cases.names()) {
        Matcher m = OUT.matcher(n);
        if (m.matches()) {
          names.add(m.group(1));
        }
      }
      checkArgument(!names.isEmpty(), "%s must hold unet.<case>.out tensors", cases.file());
      for (String c : names) {
        try (TensorScope caseScope = TensorScope.open()) {
          String p = "unet." + c + ".";
          Tensor sample = cases.tensor(p + "sample").to(dtype);
          Tensor timestep = cases.tensor(p + "timestep");
          Tensor context = cases.tensor(p + "encoder_hidden_states").to(dtype);
          Tensor text = cases.contains(p + "text_embeds") ? cases.tensor(p + "text_embeds") : null;
          Tensor ids = cases.contains(p + "time_ids") ? cases.tensor(p + "time_ids") : null;
          if (f64 && text != null) {
            text = text.to(dtype);
          }
          Tensor out = unet.forward(sample, timestep, context, text, ids);
          Tensor expected =
              cases.tensor(p + (f64 && cases.contains(p + "out.f64") ? "out.f64" : "out"));
          results.add(Compare.allClose(p + suffix.substring(1), out, expected, atol, rtol));
        }
      }
    }
    return List.copyOf(results);
  }
}
