package dev.distill.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.bench.BenchSupport.GuidanceKind;
import dev.distill.examples.BackboneQuality;
import dev.distill.examples.TrainBackbone;
import dev.distill.examples.TrainTeacher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The other subcommands: parsing, defaults and the one-line errors, without running the work. */
class CliCommandsTest {
  @TempDir Path tmp;
  Path data;

  @BeforeEach
  void fakeFashionMnistFolder() throws Exception {
    data = Files.createDirectories(tmp.resolve("fmnist"));
    for (String f : TrainTeacherCommand.FILES) {
      Files.writeString(data.resolve(f), "");
    }
  }

  @Test
  void trainBackboneDefaultsMatchTheTrainerConfigAndCkptDefaultsToOut() {
    Path out = tmp.resolve("bb");
    TrainBackbone.Options o =
        CliHarness.run("train-backbone", "--out", out.toString(), "--data", data.toString())
            .options(TrainBackbone.Options.class);
    dev.distill.core.model.TrainerConfig d = dev.distill.core.model.TrainerConfig.defaults();
    assertThat(o.ckptDir()).isEqualTo(out);
    assertThat(o.steps()).isEqualTo(d.numSteps());
    assertThat(o.batchSize()).isEqualTo(d.batchSize());
    assertThat(o.learningRate()).isEqualTo(d.learningRate());
    assertThat(o.seed()).isEqualTo(d.seed());
    assertThat(o.checkpointEvery()).isEqualTo(d.checkpointEvery());
    assertThat(o.resume()).isFalse();
    assertThat(o.channels()).isEmpty();
  }

  @Test
  void trainBackboneExtendImpliesResume() {
    TrainBackbone.Options o =
        CliHarness.run(
                "train-backbone",
                "--out",
                tmp.toString(),
                "--data",
                data.toString(),
                "--extend",
                "6000",
                "--channels",
                "16,32,64")
            .options(TrainBackbone.Options.class);
    assertThat(o.resume()).isTrue();
    assertThat(o.extend()).isEqualTo(6000);
    assertThat(o.channels()).containsExactly(16, 32, 64);
  }

  @Test
  void trainBackboneWithoutOutSaysItIsRequired() {
    CliHarness.Result r = CliHarness.run("train-backbone", "--data", data.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("Missing required option: '--out=DIR'");
  }

  @Test
  void missingDataFolderIsOneLineWithExitTwo() {
    Path nowhere = tmp.resolve("nowhere");
    CliHarness.Result r =
        CliHarness.run("train-backbone", "--out", tmp.toString(), "--data", nowhere.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "distill train-backbone: --data must be a readable"
                + " folder holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz (no such"
                + " folder) but was "
                + nowhere
                + " (see 'distill train-backbone --help')");
  }

  @Test
  void dataFolderWithoutTheIdxFilesNamesTheMissingOnes() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    CliHarness.Result r =
        CliHarness.run("train-teacher", "--data", empty.toString(), "--out", tmp.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("(missing train-images-idx3-ubyte.gz").contains("t10k-labels");
  }

  @Test
  void trainBackboneCtrlCHintAddsResume() {
    TrainBackboneCommand cmd = new TrainBackboneCommand(o -> 0);
    new picocli.CommandLine(cmd).parseArgs("--out", "b", "--data", data.toString());
    TrainBackbone.Options o = cmd.options();
    assertThat(cmd.resumeArgs(o)).endsWith("--resume");
    assertThat(cmd.interruptHint(o))
        .hasValueSatisfying(h -> assertThat(h).contains("checkpoint in b"));
  }

  @Test
  void trainTeacherDefaultsReproduceTheShippedTeacher() {
    TrainTeacher.Options o =
        CliHarness.run("train-teacher", "--data", data.toString(), "--out", tmp.toString())
            .options(TrainTeacher.Options.class);
    assertThat(o.width()).isEqualTo(64);
    assertThat(o.epochs()).isEqualTo(6);
    assertThat(o.batchSize()).isEqualTo(256);
    assertThat(o.learningRate()).isEqualTo(0.002);
    assertThat(o.augment()).isEqualTo("flip");
    assertThat(o.threads()).isZero();
  }

  @Test
  void trainTeacherRejectsAnUnknownAugmentation() {
    CliHarness.Result r =
        CliHarness.run(
            "train-teacher",
            "--data",
            data.toString(),
            "--out",
            tmp.toString(),
            "--augment",
            "flip_blur");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("--augment must be none or DSA words joined by _")
        .contains("but was flip_blur");
  }

  @Test
  void trainTeacherRejectsANegativeLearningRate() {
    CliHarness.Result r =
        CliHarness.run(
            "train-teacher", "--data", data.toString(), "--out", tmp.toString(), "--lr", "-1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--lr must be a positive number but was -1.0");
  }

  @Test
  void trainBackboneLatentTakesTheAutoencoderSettings() {
    TrainBackbone.Options o =
        CliHarness.run(
                "train-backbone",
                "--out",
                tmp.toString(),
                "--data",
                data.toString(),
                "--latent",
                "--vae-steps",
                "300",
                "--kl-weight",
                "0.001")
            .options(TrainBackbone.Options.class);
    assertThat(o.latent()).isTrue();
    assertThat(o.vaeSteps()).isEqualTo(300);
    assertThat(o.klWeight()).isEqualTo(0.001);
    assertThat(o.vaeBatch()).isEqualTo(64);
    CliHarness.Result bad =
        CliHarness.run(
            "train-backbone",
            "--out",
            tmp.toString(),
            "--data",
            data.toString(),
            "--latent",
            "--kl-weight",
            "-1");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--kl-weight").contains("-1");
  }

  @Test
  void qualityBackboneLatentMeasuresTheShippedLatentModelAndAnUnknownKindIsNamed() {
    BackboneQuality.Options o =
        CliHarness.run("quality", "--out", tmp.toString(), "--backbone", "latent")
            .options(BackboneQuality.Options.class);
    assertThat(o.model()).isEqualTo(new BackboneQuality.ModelSource.ShippedLatent());
    CliHarness.Result bad = CliHarness.run("quality", "--out", tmp.toString(), "--backbone", "vae");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--backbone").contains("vae").contains("pixel or latent");
    CliHarness.Result missing =
        CliHarness.run(
            "quality", "--out", tmp.toString(), "--latent-dir", tmp.resolve("none").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("--latent-dir");
  }

  @Test
  void qualityMeasuresTheShippedModelByDefault() {
    BackboneQuality.Options o =
        CliHarness.run("quality", "--out", tmp.toString()).options(BackboneQuality.Options.class);
    assertThat(o.model()).isEqualTo(new BackboneQuality.ModelSource.Shipped());
    assertThat(o.scheduler()).isEqualTo("DPMSolverMultistepScheduler");
    assertThat(o.perClass()).isEqualTo(100);
    assertThat(o.fdSamples()).isEqualTo(10_000);
    assertThat(o.grid()).isEmpty();
  }

  @Test
  void qualityTakesWeightsWithTheirConfig() throws Exception {
    Path w = Files.writeString(tmp.resolve("w.safetensors"), "");
    Path c = Files.writeString(tmp.resolve("c.json"), "{}");
    BackboneQuality.Options o =
        CliHarness.run(
                "quality",
                "--out",
                tmp.toString(),
                "--weights",
                w.toString(),
                "--config",
                c.toString(),
                "--grid",
                tmp.resolve("g.png").toString())
            .options(BackboneQuality.Options.class);
    assertThat(o.model()).isEqualTo(new BackboneQuality.ModelSource.WeightFiles(w, c));
    assertThat(o.grid()).contains(tmp.resolve("g.png"));
  }

  @Test
  void qualityWeightsWithoutConfigIsAUsageError() throws Exception {
    Path w = Files.writeString(tmp.resolve("w.safetensors"), "");
    CliHarness.Result r =
        CliHarness.run("quality", "--out", tmp.toString(), "--weights", w.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--config must be given with --weights but was missing");
  }

  @Test
  void qualityRejectsAnUnknownScheduler() {
    CliHarness.Result r = CliHarness.run("quality", "--out", tmp.toString(), "--scheduler", "PNDM");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err())
        .contains("--scheduler must be one of")
        .contains("DDIMScheduler")
        .contains("but was PNDM");
  }

  @Test
  void qualityRejectsAMissingCheckpointFile() {
    CliHarness.Result r =
        CliHarness.run(
            "quality",
            "--out",
            tmp.toString(),
            "--ckpt",
            tmp.resolve("none.safetensors").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--ckpt must be a readable file (no such file)");
  }

  @Test
  void parityTakesAFixtureFolder() throws Exception {
    Path fixture = Files.createDirectories(tmp.resolve("fx/cases")).getParent();
    Files.writeString(fixture.resolve("model_index.json"), "{}");
    CliHarness.Result r = CliHarness.run("parity", fixture.toString());
    assertThat(r.options(ParityCommand.Options.class).fixture()).isEqualTo(fixture);
  }

  @Test
  void parityFailuresExitOne() throws Exception {
    Path fixture = Files.createDirectories(tmp.resolve("fx/cases")).getParent();
    Files.writeString(fixture.resolve("model_index.json"), "{}");
    assertThat(CliHarness.run(o -> 1, "parity", fixture.toString()).exitCode()).isEqualTo(1);
  }

  @Test
  void parityOnAFolderWithoutCasesIsAUsageError() {
    CliHarness.Result r = CliHarness.run("parity", tmp.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "distill parity: FIXTURE-DIR must be a readable"
                + " folder holding model_index.json, cases (missing model_index.json, cases) but was "
                + tmp
                + " (see 'distill parity --help')");
  }

  @Test
  void throughputPassesTheSettingsToSamplerThroughput() throws Exception {
    Path pipe = Files.createDirectories(tmp.resolve("sdxl"));
    Files.writeString(pipe.resolve("model_index.json"), "{}");
    ThroughputCommand.Options o =
        CliHarness.run(
                "throughput",
                "--pipeline",
                pipe.toString(),
                "--size",
                "64",
                "96",
                "--guidance",
                "decoder",
                "--threads",
                "2",
                "--random-weights")
            .options(ThroughputCommand.Options.class);
    assertThat(o.height()).isEqualTo(64);
    assertThat(o.width()).isEqualTo(96);
    assertThat(o.guidance()).isEqualTo(GuidanceKind.DECODER);
    assertThat(o.json()).isEqualTo(Optional.empty());
    assertThat(o.toArgs())
        .containsSubsequence("--pipeline", pipe.toString())
        .containsSubsequence("--size", "64", "96")
        .containsSubsequence("--guidance", "decoder")
        .containsSubsequence("--threads", "2")
        .contains("--random-weights");
  }

  @Test
  void throughputRejectsAnUnknownGuidanceAndABadDecodeScale() throws Exception {
    Path pipe = Files.createDirectories(tmp.resolve("sdxl"));
    Files.writeString(pipe.resolve("model_index.json"), "{}");
    CliHarness.Result g =
        CliHarness.run("throughput", "--pipeline", pipe.toString(), "--guidance", "vae");
    assertThat(g.exitCode()).isEqualTo(2);
    assertThat(g.err())
        .contains("--guidance must be one of [none, z0, decoder, unet] but was 'vae'");
    CliHarness.Result d =
        CliHarness.run("throughput", "--pipeline", pipe.toString(), "--decode-scale", "3");
    assertThat(d.exitCode()).isEqualTo(2);
    assertThat(d.err()).contains("--decode-scale must be 1, 2 or 4 but was 3");
  }

  @Test
  void everyCommandHasHelpWithExitZero() {
    for (String c :
        new String[] {
          "quickstart", "train-backbone", "train-teacher", "quality", "parity", "throughput"
        }) {
      CliHarness.Result r = CliHarness.run(c, "--help");
      assertThat(r.exitCode()).as(c).isZero();
      assertThat(r.out())
          .as(c)
          .startsWith(c.equals("quickstart") ? "Distil" : "")
          .contains("Usage: distill " + c);
    }
  }

  @Test
  void trainScenesParsesItsDefaultsAndNamesBadValues() {
    Path out = tmp.resolve("scenes");
    dev.distill.examples.TrainScenes.Options o =
        CliHarness.run("train-scenes", "--out", out.toString())
            .options(dev.distill.examples.TrainScenes.Options.class);
    assertThat(o.out()).isEqualTo(out);
    assertThat(o.scenes()).isEqualTo(10_000);
    assertThat(o.steps()).isEqualTo(3000);
    assertThat(o.batchSize()).isEqualTo(64);
    assertThat(o.channels()).containsExactly(64, 128);
    assertThat(o.resume()).isFalse();
    CliHarness.Result bad = CliHarness.run("train-scenes", "--out", out.toString(), "--batch", "0");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--batch").contains("0");
    CliHarness.Result noOut = CliHarness.run("train-scenes");
    assertThat(noOut.exitCode()).isEqualTo(2);
    assertThat(noOut.err()).contains("--out");
  }
}
