package dev.distill.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Progress is a redrawn bar only on a terminal, plain lines otherwise. */
class ConsoleProgressTest {
  @Test
  void plainOutputHasNoCarriageReturnsAndPrintsTheEnd() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressListener l =
        ConsoleProgress.of(
            new PrintStream(bytes, true, StandardCharsets.UTF_8), "distill d4m", false);
    for (int i = 1; i <= 10; i++) {
      l.onProgress(new Progress("distill", i, 10, "class " + i));
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain("\r").isEqualTo("distill d4m: 100% (10/10) class 10\n");
  }

  @Test
  void terminalOutputRedrawsOneLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressListener l =
        ConsoleProgress.of(
            new PrintStream(bytes, true, StandardCharsets.UTF_8), "train hard", true);
    l.onProgress(new Progress("train", 4, 4, "epoch 4"));
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .startsWith("\rtrain hard")
        .contains("100%")
        .doesNotContain("\n");
  }
}
