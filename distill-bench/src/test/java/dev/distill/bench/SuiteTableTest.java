package dev.distill.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteTableTest {
  private static final String UNET = SdxlBaseConfigs.UNET.node().toString();
  private static final String VAE = SdxlBaseConfigs.VAE.node().toString();

  private static String run(String guidance, double medianSeconds) {
    return "{\"pipeline\":\"sdxl\",\"randomWeights\":false,\"steps\":1,\"batch\":1,\"height\":1024,"
        + "\"width\":1024,\"cfg\":5.0,\"guidance\":\""
        + guidance
        + "\",\"decodeScale\":1,"
        + "\"threads\":1,\"medianSeconds\":"
        + medianSeconds
        + ",\"peakRssMib\":100.0}\n";
  }

  @Test
  void floorsFollowTheFlopCounts(@TempDir Path tmp) throws Exception {
    Path fx = tmp.resolve("fx");
    Files.createDirectories(fx.resolve("sdxl/unet"));
    Files.createDirectories(fx.resolve("sdxl/vae"));
    Files.writeString(fx.resolve("sdxl/unet/config.json"), UNET);
    Files.writeString(fx.resolve("sdxl/vae/config.json"), VAE);
    Path res = tmp.resolve("res");
    Files.createDirectories(res);
    Files.writeString(
        res.resolve("matmul.txt"),
        "matmul 1024x1024 float32, 1 threads: 100.00 GFLOP/s (median of 5)\n");
    // CFG step at 128² latents: 2 × 6.761 TFLOP; decode 10.470 TFLOP
    Files.writeString(res.resolve("sampler.jsonl"), run("none", 270.44) + run("decoder", 689.24));
    String table = SuiteTable.table(res, fx);
    // none: 13.522 TFLOP / 100 GFLOP/s = 135.22 s floor → 2.0 × floor
    assertThat(table).contains("| none | 1 | 0.004 | 270.440 | 13522.");
    assertThat(table).contains("| 135.2");
    // decoder: 13.522 + 2 × 10.470 = 34.463 TFLOP → 344.6 s floor; 689.24 s = 2.0 × floor, 2.55 ×
    // none
    assertThat(table).contains("| decoder | 1 | 0.001 | 689.240 | 34463.");
    assertThat(table).contains("| 2.0 | 2.55 |");
    assertThat(table).contains("{float32/1=100.0}");
  }

  @Test
  void missingInputsAreNamed(@TempDir Path tmp) {
    assertThatThrownBy(() -> SuiteTable.table(tmp, tmp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("matmul.txt");
  }
}
