package dev.distill.examples.cli;

import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.io.ImageFolder;
import dev.distill.core.tensor.TensorScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill export-fashion-mnist}: writes part of the bundled Fashion-MNIST training slice as
 * an ImageFolder of PNGs, a ready input for {@code distill imagefolder}.
 *
 * @since 0.1.0
 */
@Command(
    name = "export-fashion-mnist",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    header = "Write the bundled Fashion-MNIST slice as an ImageFolder (class/NNNNN.png).",
    description = {
      "Writes the first --per-class images of each class of the bundled training slice (28x28"
          + " gray PNGs, Zalando's MIT-licensed Fashion-MNIST) into --out/<class>/, in the"
          + " torchvision ImageFolder layout.",
      ""
    })
public final class ExportFashionMnistCommand extends JobCommand<ExportFashionMnistCommand.Options> {
  /**
   * The parsed settings.
   *
   * @param out the ImageFolder root to create
   * @param perClass images per class
   */
  public record Options(Path out, int perClass) {}

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "the ImageFolder root to write (must not exist)")
  Path out;

  @Option(
      names = "--per-class",
      paramLabel = "N",
      defaultValue = "20",
      description = "images per class, 1..1000 (default: ${DEFAULT-VALUE})")
  int perClass;

  /** The real export. */
  public ExportFashionMnistCommand() {
    this(Job.of(ExportFashionMnistCommand::export));
  }

  /**
   * An export command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public ExportFashionMnistCommand(Job<Options> job) {
    super(job);
  }

  static void export(Options o) throws Exception {
    try (LabeledImages train = FashionMnist.train();
        TensorScope scope = TensorScope.open()) {
      List<Integer> picks = new ArrayList<>();
      for (int c = 0; c < train.numClasses(); c++) {
        int[] idx = train.indicesOf(c);
        for (int i = 0; i < o.perClass(); i++) {
          picks.add(idx[i]);
        }
      }
      try (LabeledImages some =
          train.select(picks.stream().mapToInt(Integer::intValue).toArray())) {
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < some.size(); i++) {
          labels.add(some.label(i));
        }
        ImageFolder.write(o.out(), some.images(), labels, some.classNames());
      }
      System.out.println(
          "wrote " + picks.size() + " images of " + train.numClasses() + " classes to " + o.out());
    }
  }

  @Override
  protected Options options() {
    if (Files.exists(out)) {
      throw invalid("--out", out, "be a folder that does not exist yet");
    }
    writableFolder("--out", out);
    return new Options(
        out, inRange("--per-class", perClass, 1, FashionMnist.TRAIN_SLICE_PER_CLASS));
  }
}
