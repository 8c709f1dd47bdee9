package dev.distill.examples.cli;

import dev.distill.sdxl.parity.CaseResult;
import dev.distill.sdxl.parity.ParityCheck;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code distill parity}: checks the SDXL port against a golden fixture folder ({@link
 * ParityCheck}); exits 1 if any case fails.
 *
 * @since 0.1.0
 */
@Command(
    name = "parity",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    header = "Check the SDXL port against a golden fixture folder.",
    description = {
      "Loads the SDXL pipeline from a fixture folder (diffusers layout + cases/) and checks every"
          + " case file against it: tokenizers, text encoders, UNet, VAE, schedulers,"
          + " text-to-image, image-to-image, guidance gradient. Prints one line per case and"
          + " exits 1 if any failed.",
      ""
    })
public final class ParityCommand extends JobCommand<ParityCommand.Options> {
  /**
   * The parsed settings.
   *
   * @param fixture the fixture folder
   */
  public record Options(Path fixture) {}

  @Parameters(
      index = "0",
      paramLabel = "FIXTURE-DIR",
      arity = "0..1",
      defaultValue = "../shared/fixtures/sdxl-tiny",
      description =
          "fixture folder holding model_index.json and cases/ (default: ${DEFAULT-VALUE})")
  Path fixture;

  /** The real parity check. */
  public ParityCommand() {
    this(
        options -> {
          List<CaseResult> results = ParityCheck.run(options.fixture());
          int failed = ParityCheck.print(results, System.out);
          return failed == 0 && !results.isEmpty() ? 0 : 1;
        });
  }

  /**
   * A parity command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public ParityCommand(Job<Options> job) {
    super(job);
  }

  @Override
  protected Options options() {
    return new Options(readableFolder("FIXTURE-DIR", fixture, "model_index.json", "cases"));
  }
}
