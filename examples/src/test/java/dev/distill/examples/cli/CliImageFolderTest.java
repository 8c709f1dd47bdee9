package dev.distill.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.ImageSize;
import dev.distill.core.data.ResizeMode;
import dev.distill.examples.DistillImageFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill imagefolder}: parsing, defaults and the one-line errors, without running it. */
class CliImageFolderTest {
  @TempDir Path tmp;
  Path data;
  Path pipeline;

  @BeforeEach
  void folders() throws Exception {
    data = Files.createDirectories(tmp.resolve("data/cat"));
    data = data.getParent();
    pipeline = Files.createDirectories(tmp.resolve("sdxl"));
    Files.writeString(pipeline.resolve("model_index.json"), "{}");
  }

  @Test
  void defaultsAreSdxlsAndTurboChangesStepsAndCfg() {
    DistillImageFolder.Options o =
        CliHarness.run(
                "imagefolder",
                "--data",
                data.toString(),
                "--pipeline",
                pipeline.toString(),
                "--out",
                tmp.resolve("o").toString())
            .options(DistillImageFolder.Options.class);
    assertThat(o.method()).isEqualTo("d4m");
    assertThat(o.ipc()).isEqualTo(10);
    assertThat(o.size()).isEmpty();
    assertThat(o.steps()).isEqualTo(30);
    assertThat(o.cfg()).isEqualTo(5.0);
    assertThat(o.resize()).isEqualTo(ResizeMode.COVER_CROP);
    assertThat(o.dtype()).isEqualTo(ScalarType.Float);
    DistillImageFolder.Options t =
        CliHarness.run(
                "imagefolder",
                "--data",
                data.toString(),
                "--pipeline",
                pipeline.toString(),
                "--out",
                tmp.resolve("o").toString(),
                "--turbo",
                "--size",
                "480x640",
                "--dtype",
                "bf16",
                "--resize",
                "stretch")
            .options(DistillImageFolder.Options.class);
    assertThat(t.steps()).isEqualTo(4);
    assertThat(t.cfg()).isZero();
    assertThat(t.size()).contains(ImageSize.of(480, 640));
    assertThat(t.dtype()).isEqualTo(ScalarType.BFloat16);
    assertThat(t.resize()).isEqualTo(ResizeMode.STRETCH);
  }

  @Test
  void randomRealNeedsNoPipeline() {
    CliHarness.Result r =
        CliHarness.run(
            "imagefolder",
            "--data",
            data.toString(),
            "--method",
            "random-real",
            "--out",
            tmp.resolve("o").toString());
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void badValuesAreOneLineWithExitTwo() {
    String[][] cases = {
      {"--method", "mtt", "--method must be one of d4m, mode-guided, unidd, random-real"},
      {"--ipc", "0", "--ipc must be between 1 and 1000 but was 0"},
      {"--size", "12x", "--size must be S or HxW"},
      {"--dtype", "fp8", "--dtype must be fp32, fp16 or bf16"},
      {"--resize", "zoom", "--resize must be cover-crop or stretch"},
      {"--decode-scale", "3", "--decode-scale must be 1, 2 or 4"},
    };
    for (String[] c : cases) {
      CliHarness.Result r =
          CliHarness.run(
              "imagefolder",
              "--data",
              data.toString(),
              "--pipeline",
              pipeline.toString(),
              "--out",
              tmp.resolve("o").toString(),
              c[0],
              c[1]);
      assertThat(r.exitCode()).as("%s %s", c[0], c[1]).isEqualTo(2);
      assertThat(r.errLines()).as("%s %s", c[0], c[1]).hasSize(1);
      assertThat(r.err()).contains(c[2]);
    }
  }

  @Test
  void aGenerativeMethodWithoutPipelineSaysSo() {
    CliHarness.Result r =
        CliHarness.run(
            "imagefolder",
            "--data",
            data.toString(),
            "--out",
            tmp.resolve("o").toString(),
            "--method",
            "unidd");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--pipeline").contains("unidd");
  }
}
