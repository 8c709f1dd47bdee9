package dev.distill.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.examples.TrainProxy;
import dev.distill.task.proxy.BuiltinProxies;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill train-proxy}: parsing, defaults and the one-line errors, without training. */
class CliTrainProxyTest {
  @TempDir Path tmp;

  @Test
  void defaultsTrainBothProxiesWithTheTaskDefaultsLeftOpen() {
    TrainProxy.Options o =
        CliHarness.run("train-proxy", "--out", tmp.toString()).options(TrainProxy.Options.class);
    assertThat(o.out()).isEqualTo(tmp);
    assertThat(o.task()).isEqualTo(TrainProxy.Task.BOTH);
    assertThat(o.scenes()).isEqualTo(BuiltinProxies.sceneConfig().size());
    assertThat(o.testScenes()).isEqualTo(500);
    assertThat(o.steps()).isZero();
    assertThat(o.batchSize()).isZero();
    assertThat(o.learningRate()).isZero();
    assertThat(o.netWidth()).isZero();
    assertThat(o.threads()).isZero();
    assertThat(o.seed()).isZero();
  }

  @Test
  void defaultsReproduceTheShippedProxies() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode det = json.readTree(BuiltinProxies.record(BuiltinProxies.DETECTOR));
    JsonNode seg = json.readTree(BuiltinProxies.record(BuiltinProxies.SEGMENTER));
    assertThat(det.path("steps").asInt()).isEqualTo(TrainProxy.DETECTOR_STEPS);
    assertThat(det.path("batchSize").asInt()).isEqualTo(TrainProxy.DETECTOR_BATCH);
    assertThat(det.path("learningRate").asDouble()).isEqualTo(TrainProxy.DETECTOR_LR);
    assertThat(seg.path("steps").asInt()).isEqualTo(TrainProxy.SEGMENTER_STEPS);
    assertThat(seg.path("batchSize").asInt()).isEqualTo(TrainProxy.SEGMENTER_BATCH);
    assertThat(seg.path("learningRate").asDouble()).isEqualTo(TrainProxy.SEGMENTER_LR);
    assertThat(det.path("netConfig").path("netWidth").asInt())
        .isEqualTo(BuiltinProxies.DETECTOR_WIDTH);
    assertThat(seg.path("netConfig").path("netWidth").asInt())
        .isEqualTo(BuiltinProxies.SEGMENTER_WIDTH);
    for (JsonNode r : new JsonNode[] {det, seg}) {
      assertThat(r.path("trainScenes").asInt()).isEqualTo(BuiltinProxies.sceneConfig().size());
      assertThat(r.path("testScenes").asInt()).isEqualTo(500);
      assertThat(r.path("seed").asLong()).isZero();
    }
  }

  @Test
  void everyOptionIsPassedOn() {
    TrainProxy.Options o =
        CliHarness.run(
                "train-proxy",
                "--out",
                tmp.toString(),
                "--task",
                "segmentation",
                "--scenes",
                "2000",
                "--test-scenes",
                "64",
                "--steps",
                "300",
                "--batch",
                "8",
                "--lr",
                "0.01",
                "--width",
                "8",
                "--threads",
                "1",
                "--seed",
                "7")
            .options(TrainProxy.Options.class);
    assertThat(o)
        .isEqualTo(
            new TrainProxy.Options(
                tmp, TrainProxy.Task.SEGMENTATION, 2000, 64, 300, 8, 0.01, 8, 1, 7));
  }

  @Test
  void taskIsCaseInsensitiveAndUnknownTasksAreRejected() {
    assertThat(
            CliHarness.run("train-proxy", "--out", tmp.toString(), "--task", "DETECTION")
                .options(TrainProxy.Options.class)
                .task())
        .isEqualTo(TrainProxy.Task.DETECTION);
    CliHarness.Result r =
        CliHarness.run("train-proxy", "--out", tmp.toString(), "--task", "classification");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--task").contains("classification");
  }

  @Test
  void outIsRequired() {
    CliHarness.Result r = CliHarness.run("train-proxy");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("Missing required option: '--out=DIR'");
  }

  @Test
  void outOfRangeValuesAreOneLineWithExitTwo() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "");
    String[][] cases = {
      {"--scenes", "0", "--scenes must be between 1 and 10000 but was 0"},
      {"--scenes", "10001", "--scenes must be between 1 and 10000 but was 10001"},
      {"--test-scenes", "0", "--test-scenes must be between 1 and 10000 but was 0"},
      {"--steps", "0", "--steps must be at least 1 but was 0"},
      {"--batch", "0", "--batch must be between 1 and 4096 but was 0"},
      {"--lr", "-1", "--lr must be a positive number but was -1.0"},
      {"--width", "0", "--width must be between 1 and 256 but was 0"},
      {"--threads", "0", "--threads must be between 1 and 1024 but was 0"},
    };
    for (String[] c : cases) {
      CliHarness.Result r = CliHarness.run("train-proxy", "--out", tmp.toString(), c[0], c[1]);
      assertThat(r.exitCode()).as(c[0]).isEqualTo(2);
      assertThat(r.errLines()).as(c[0]).hasSize(1);
      assertThat(r.err()).as(c[0]).contains(c[2]);
      assertThat(r.jobOptions()).as(c[0]).isEmpty();
    }
    CliHarness.Result r = CliHarness.run("train-proxy", "--out", file.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--out must be a folder (it is a file)");
  }
}
