package dev.distill.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.method.RandomReal;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code Distill} refusal (an output folder holding another run's set) reaches the user as
 * one usage line naming {@code --out}, exit 2: this pins the CLI to the pipeline's message.
 */
class CliOtherRunFolderTest {
  @TempDir Path tmp;

  private static void distil(Path out, long seed) throws Exception {
    try (LabeledImages train = FashionMnist.train();
        DistillResult r =
            Distill.from(train)
                .method(RandomReal.of())
                .ipc(1)
                .seed(seed)
                .run(out.resolve("random-real"))) {
      assertThat(r.set().size()).isEqualTo(train.numClasses());
    }
  }

  @Test
  void outputFolderFromAnotherSeedExitsTwoNamingOut() {
    CliHarness.Result r =
        CliHarness.run(
            o -> {
              Path out = ((dev.distill.examples.QuickStart.Options) o).out();
              distil(out, 0);
              distil(out, 1);
              return 0;
            },
            "quickstart",
            "--out",
            tmp.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0))
        .startsWith(
            "distill quickstart: --out must be a new folder or one this same command"
                + " wrote but was "
                + tmp
                + ": ")
        .contains("another run")
        .contains("seed");
  }
}
