package dev.distill.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.core.Version;
import dev.distill.core.method.ModeGuided;
import dev.distill.examples.QuickStart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill quickstart}: parsing, defaults, the one-line errors and the exit codes. */
class CliQuickStartTest {
  @TempDir Path tmp;

  @Test
  void defaultsAreTheQuickProfileAtIpcTen() {
    CliHarness.Result r = CliHarness.run("quickstart");
    assertThat(r.exitCode()).isZero();
    QuickStart.Options o = r.options(QuickStart.Options.class);
    assertThat(o.out()).isEqualTo(Path.of("distill-out", "quickstart"));
    assertThat(o.ipcs()).containsExactly(10);
    assertThat(o.protocol()).isEqualTo(QuickStart.Protocol.QUICK);
    assertThat(o.seeds()).isZero();
    assertThat(o.upperEpochs()).isZero();
    assertThat(o.steps()).isEqualTo(25);
    assertThat(o.cfg()).isEqualTo(QuickStart.DEFAULT_CFG);
    assertThat(o.d4mCfg()).isEqualTo(QuickStart.DEFAULT_PROTOTYPE_CFG);
    assertThat(o.d4mStrength()).isEqualTo(0.7);
    assertThat(o.uniddStop()).isEqualTo(1.0);
    assertThat(o.mgdModes()).isEqualTo(1.0);
    assertThat(o.mgdCfg()).isEqualTo(QuickStart.DEFAULT_PROTOTYPE_CFG);
    assertThat(o.threads()).isEqualTo(1);
    assertThat(o.mgdTarget()).isEqualTo(ModeGuided.Target.CENTROID);
    assertThat(o.methods()).isEmpty();
  }

  @Test
  void backboneSelectsTheGeneratorPixelByDefault() {
    assertThat(CliHarness.run("quickstart").options(QuickStart.Options.class).backbone())
        .isEqualTo(QuickStart.Backbone.PIXEL);
    assertThat(
            CliHarness.run("quickstart", "--backbone", "latent")
                .options(QuickStart.Options.class)
                .backbone())
        .isEqualTo(QuickStart.Backbone.LATENT);
    CliHarness.Result bad = CliHarness.run("quickstart", "--backbone", "vae");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--backbone").contains("vae");
  }

  @Test
  void taskIsClassificationByDefaultAndSceneTasksDefaultToTwoBudgets() {
    QuickStart.Options plain = CliHarness.run("quickstart").options(QuickStart.Options.class);
    assertThat(plain.task()).isEqualTo(QuickStart.Task.CLASSIFICATION);
    assertThat(plain.taskGuidance()).as("0 = the task's default").isZero();
    QuickStart.Options det =
        CliHarness.run("quickstart", "--task", "detection").options(QuickStart.Options.class);
    assertThat(det.task()).isEqualTo(QuickStart.Task.DETECTION);
    assertThat(det.ipcs()).containsExactly(5, 10);
    assertThat(det.seeds()).as("scene students are cheap: three seeds by default").isEqualTo(3);
    QuickStart.Options seg =
        CliHarness.run(
                "quickstart", "--task", "segmentation", "--ipcs", "2", "--task-guidance", "3")
            .options(QuickStart.Options.class);
    assertThat(seg.task()).isEqualTo(QuickStart.Task.SEGMENTATION);
    assertThat(seg.ipcs()).containsExactly(2);
    assertThat(seg.taskGuidance()).isEqualTo(3.0);
    CliHarness.Result bad = CliHarness.run("quickstart", "--task", "pose");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--task").contains("pose");
    CliHarness.Result negative = CliHarness.run("quickstart", "--task-guidance", "-1");
    assertThat(negative.exitCode()).isEqualTo(2);
    assertThat(negative.err()).contains("--task-guidance").contains("-1");
  }

  @Test
  void confidenceIsAProbabilityAndOffByDefault() {
    assertThat(CliHarness.run("quickstart").options(QuickStart.Options.class).confidence())
        .isZero();
    assertThat(
            CliHarness.run("quickstart", "--confidence", "0.3")
                .options(QuickStart.Options.class)
                .confidence())
        .isEqualTo(0.3);
    CliHarness.Result bad = CliHarness.run("quickstart", "--confidence", "1.5");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--confidence").contains("1.5");
  }

  @Test
  void fullSwitchesToThreeIpcsThreeSeedsPinnedAndTheReferenceRow() {
    QuickStart.Options o = CliHarness.run("quickstart", "--full").options(QuickStart.Options.class);
    assertThat(o.ipcs()).containsExactly(1, 10, 50);
    assertThat(o.seeds()).isEqualTo(3);
    assertThat(o.protocol()).isEqualTo(QuickStart.Protocol.PINNED);
    assertThat(o.upperEpochs()).isEqualTo(QuickStart.DEFAULT_UPPER_EPOCHS);
  }

  @Test
  void explicitValuesOverrideTheFullDefaults() {
    Path out = tmp.resolve("q");
    QuickStart.Options o =
        CliHarness.run(
                "quickstart",
                "--full",
                "--protocol",
                "quick",
                "--ipcs",
                "1,50",
                "--seeds",
                "2",
                "--upper-epochs",
                "0",
                "--out",
                out.toString(),
                "--methods",
                "d4m,unidd",
                "--mgd-target",
                "nearest_real",
                "--cfg",
                "1.5",
                "--steps",
                "10")
            .options(QuickStart.Options.class);
    assertThat(o.ipcs()).containsExactly(1, 50);
    assertThat(o.protocol()).isEqualTo(QuickStart.Protocol.QUICK);
    assertThat(o.seeds()).isEqualTo(2);
    assertThat(o.upperEpochs()).isZero();
    assertThat(o.out()).isEqualTo(out);
    assertThat(o.methods()).containsExactly("d4m", "unidd");
    assertThat(o.mgdTarget()).isEqualTo(ModeGuided.Target.NEAREST_REAL);
    assertThat(o.cfg()).isEqualTo(1.5);
    assertThat(o.d4mCfg()).as("--cfg applies to D4M too unless --d4m-cfg is given").isEqualTo(1.5);
    assertThat(o.mgdCfg()).as("--cfg applies to Mode-Guided too").isEqualTo(1.5);
    assertThat(o.steps()).isEqualTo(10);
  }

  @Test
  void d4mCfgAndStrengthOverrideD4mAlone() {
    QuickStart.Options o =
        CliHarness.run(
                "quickstart",
                "--cfg",
                "3",
                "--d4m-cfg",
                "7",
                "--mgd-cfg",
                "5",
                "--d4m-strength",
                "0.5")
            .options(QuickStart.Options.class);
    assertThat(o.cfg()).isEqualTo(3.0);
    assertThat(o.d4mCfg()).isEqualTo(7.0);
    assertThat(o.mgdCfg()).isEqualTo(5.0);
    assertThat(o.d4mStrength()).isEqualTo(0.5);
  }

  @Test
  void mgdModesOutsideItsRangeNamesTheOption() {
    CliHarness.Result r = CliHarness.run("quickstart", "--mgd-modes", "1.5");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--mgd-modes must be in (0, 1] but was 1.5");
    assertThat(
            CliHarness.run("quickstart", "--mgd-modes", "0.5")
                .options(QuickStart.Options.class)
                .mgdModes())
        .isEqualTo(0.5);
  }

  @Test
  void d4mStrengthOutsideItsRangeNamesTheOption() {
    CliHarness.Result r = CliHarness.run("quickstart", "--d4m-strength", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--d4m-strength").contains("(0, 1]");
  }

  @Test
  void ipcZeroIsOneLineNamingOptionValueAndRangeWithExitTwo() {
    CliHarness.Result r = CliHarness.run("quickstart", "--ipc", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.jobOptions()).isEmpty();
    assertThat(r.errLines())
        .containsExactly(
            "distill quickstart: --ipc must be between 1 and 1000 but was 0"
                + " (see 'distill quickstart --help')");
  }

  @Test
  void ipcAboveTheTrainingSliceIsRejected() {
    CliHarness.Result r = CliHarness.run("quickstart", "--ipcs", "10,1001");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--ipc must be between 1 and 1000 but was 1001");
  }

  @Test
  void ipcThatIsNotANumberIsOneLineWithExitTwo() {
    CliHarness.Result r = CliHarness.run("quickstart", "--ipc", "abc");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0))
        .startsWith(
            "distill quickstart: --ipc must be a comma-separated list of integers but was 'abc'");
  }

  @Test
  void cfgThatIsNotANumberNamesTheOption() {
    CliHarness.Result r = CliHarness.run("quickstart", "--cfg", "two");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("--cfg must be a number but was 'two'");
  }

  @Test
  void unknownMethodListsTheKnownOnes() {
    CliHarness.Result r = CliHarness.run("quickstart", "--methods", "d4m,dc");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err())
        .contains(
            "--methods must list names from random-real, d4m, mode-guided, unidd (or be none)"
                + " but was dc");
  }

  @Test
  void unknownEnumValueListsTheChoices() {
    CliHarness.Result r = CliHarness.run("quickstart", "--protocol", "slow");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("--protocol must be one of [pinned, quick] but was 'slow'");
  }

  @Test
  void mgdGammaOutsideZeroToOneIsRejected() {
    CliHarness.Result r = CliHarness.run("quickstart", "--mgd-gamma", "1.5");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--mgd-gamma must be a number between 0.0 and 1.0 but was 1.5");
  }

  @Test
  void misspeltOptionSuggestsTheRightOne() {
    CliHarness.Result r = CliHarness.run("quickstart", "--ipcc", "10");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("Unknown options: '--ipcc', '10'").contains("did you mean --ipc");
  }

  @Test
  void outThatIsAFileIsRejected() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    CliHarness.Result r = CliHarness.run("quickstart", "--out", file.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--out must be a folder (it is a file) but was " + file);
  }

  @Test
  void failureInsideTheRunExitsOneWithTheMessageAndNoStackTrace() {
    CliHarness.Result r =
        CliHarness.run(
            o -> {
              throw new IllegalArgumentException(
                  "latents must have shape [N, 1, 28, 28] but had [2]");
            },
            "quickstart");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly(
            "distill quickstart: failed: latents must have shape [N, 1, 28, 28] but had [2]"
                + " (--verbose prints the stack trace)");
  }

  @Test
  void verbosePrintsTheStackTraceOfAFailure() {
    CliHarness.Result r =
        CliHarness.run(
            o -> {
              throw new java.io.IOException("disk full");
            },
            "quickstart",
            "--verbose");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines().get(0)).isEqualTo("distill quickstart: failed: disk full");
    assertThat(r.err()).contains("java.io.IOException: disk full").contains("\tat ");
  }

  @Test
  void verboseBeforeTheCommandAlsoCounts() {
    CliHarness.Result r =
        CliHarness.run(
            o -> {
              throw new IllegalStateException("boom");
            },
            "--verbose",
            "quickstart");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("java.lang.IllegalStateException: boom");
  }

  @Test
  void outputFolderOfAnotherRunIsAUsageErrorNamingOut() {
    CliHarness.Result r =
        CliHarness.run(
            o -> {
              throw new IllegalStateException(
                  "output folder x/d4m holds a finished set from another run"
                      + " (seed=0, this run has 1); use another output folder or delete it");
            },
            "quickstart",
            "--out",
            tmp.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "distill quickstart: --out must be a new folder or"
                + " one this same command wrote but was "
                + tmp
                + ": output folder x/d4m holds a"
                + " finished set from another run (seed=0, this run has 1); use another output folder"
                + " or delete it");
  }

  @Test
  void helpShowsTheDefaultsAndExitsZero() {
    CliHarness.Result r = CliHarness.run("quickstart", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.jobOptions()).isEmpty();
    assertThat(r.out())
        .contains("distill-out/quickstart)")
        .contains("(default: 25)")
        .doesNotContain("\u001b[");
    assertThat(r.out().replaceAll("\\s+", " "))
        .contains("(default: 2.0 for UniDD and the scene tasks, 4.0 for D4M and Mode-Guided)");
  }

  @Test
  void versionPrintsTheLibraryVersion() {
    CliHarness.Result r = CliHarness.run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().strip()).isEqualTo("distill " + Version.get());
  }

  @Test
  void noCommandPrintsTheUsageAndExitsTwo() {
    CliHarness.Result r = CliHarness.run();
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Usage: distill").contains("quickstart").contains("throughput");
  }

  @Test
  void unknownCommandIsOneLineWithExitTwo() {
    CliHarness.Result r = CliHarness.run("quikstart");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("'quikstart'").contains("quickstart");
  }

  @Test
  void theJobsExitStatusIsTheProcessExitStatus() {
    assertThat(CliHarness.run(o -> 1, "quickstart").exitCode()).isEqualTo(1);
  }

  @Test
  void interruptHintNamesTheOutputFolderAndTheSameCommand() {
    QuickStartCommand cmd = new QuickStartCommand(o -> 0);
    picocli.CommandLine cl = new picocli.CommandLine(cmd);
    cl.parseArgs("--out", "o/q", "--ipc", "1");
    QuickStart.Options o = cmd.options();
    assertThat(cmd.interruptHint(o))
        .contains("finished classes, sets and evaluations in o/q are kept");
    assertThat(JobCommand.shellWords(cmd.resumeArgs(o))).isEqualTo("--out o/q --ipc 1");
    assertThat(JobCommand.shellWords(List.of("--out", "my dir"))).isEqualTo("--out 'my dir'");
  }
}
