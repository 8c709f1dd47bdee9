package dev.distill.sdxl.parity;

import dev.distill.sdxl.pipeline.SdxlOptions;
import dev.distill.sdxl.pipeline.SdxlPipeline;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Golden parity runner: loads the SDXL pipeline from a fixture folder (diffusers layout + {@code
 * cases/}) and checks every case file in {@code cases/} against it — tokenizers, both text
 * encoders, UNet, VAE encode/decode, every scheduler, text-to-image, image-to-image and the
 * guidance gradient — printing one line per case (name, max |error|, tolerance, PASS/FAIL).
 *
 * <p>Usage: {@code ParityCheck <fixture-dir>}; exits 0 if every case passed, 1 if any failed, 2 on
 * bad usage. Cases and their parameters are discovered from the files, so any fixture folder of
 * this layout works.
 *
 * <p>The harness is this package: one runner per component (package-private), one result type
 * ({@link CaseResult}) and one comparison, NumPy's {@code allclose} in float64 ({@code |a − e| <=
 * atol + rtol·|e|}, failing on a shape mismatch or a non-finite value, reporting the worst index
 * and both values); token sequences are compared exactly. Tolerances are the fixture README's.
 *
 * @since 0.1.0
 */
public final class ParityCheck {
  private ParityCheck() {}

  /**
   * Runs all cases of a fixture folder.
   *
   * @param fixtureDir the folder (holding {@code model_index.json} and {@code cases/})
   * @return one result per compared quantity
   * @throws IOException if the folder or a file cannot be read
   */
  public static List<CaseResult> run(Path fixtureDir) throws IOException {
    Path cases = fixtureDir.resolve("cases");
    if (!Files.isDirectory(cases)) {
      throw new java.nio.file.NoSuchFileException(
          cases.toString(), null, "fixture has no cases/ folder");
    }
    List<CaseResult> out = new ArrayList<>();
    if (Files.exists(cases.resolve("tokenizer.json"))
        || Files.exists(cases.resolve("text_encoders.safetensors"))) {
      guard(out, "text", () -> addAll(out, "text:", TextParity.all(fixtureDir)));
    }
    if (Files.exists(cases.resolve("unet.safetensors"))) {
      guard(out, "unet", () -> addAll(out, "unet:", UNetParity.run(fixtureDir)));
    }
    if (Files.exists(cases.resolve("vae.safetensors"))) {
      guard(out, "vae", () -> addAll(out, "vae:", VaeParity.run(fixtureDir)));
    }
    if (Files.exists(cases.resolve("schedulers.safetensors"))) {
      guard(
          out,
          "schedulers",
          () ->
              addAll(
                  out,
                  "schedulers:",
                  SchedulerParity.run(cases.resolve("schedulers.safetensors"))));
    }
    guard(
        out,
        "pipeline",
        () -> {
          try (SdxlPipeline pipe = SdxlPipeline.load(fixtureDir, SdxlOptions.cpu())) {
            out.addAll(PipelineParity.textToImage(pipe, cases));
            out.addAll(PipelineParity.imageToImage(pipe, cases));
            out.addAll(PipelineParity.guidanceGradient(pipe, cases));
          }
        });
    return out;
  }

  private static void addAll(List<CaseResult> out, String prefix, List<CaseResult> results) {
    results.forEach(r -> out.add(r.prefixed(prefix)));
  }

  private interface Step {
    void run() throws IOException;
  }

  private static void guard(List<CaseResult> out, String name, Step step) {
    try {
      step.run();
    } catch (IOException | RuntimeException e) {
      out.add(CaseResult.error(name, e));
    }
  }

  /**
   * Prints the results and a summary.
   *
   * @param results the results
   * @param out where to print
   * @return the number of failed cases
   */
  public static int print(List<CaseResult> results, PrintStream out) {
    int failed = 0;
    for (CaseResult r : results) {
      out.println(r.line());
      if (!r.pass()) {
        failed++;
      }
    }
    out.printf("%d cases, %d passed, %d failed%n", results.size(), results.size() - failed, failed);
    return failed;
  }

  /**
   * Entry point.
   *
   * @param args {@code <fixture-dir>}
   * @throws IOException if the fixture cannot be read
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ParityCheck <fixture-dir>");
      System.exit(2);
    }
    List<CaseResult> results = run(Path.of(args[0]));
    int failed = print(results, System.out);
    System.exit(failed == 0 && !results.isEmpty() ? 0 : 1);
  }
}
