package dev.distill.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every line of the README's Java blocks appears, in order, in the compiled {@code ReadmeExamples}.
 */
class ReadmeExamplesTest {

  private static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("README.md"))
        || p != null && !Files.isDirectory(p.resolve("examples"))) {
      p = p.getParent();
    }
    return p;
  }

  @Test
  void readmeJavaBlocksAreCompiledCode() throws Exception {
    Path root = root();
    assertThat(root).as("project root with README.md").isNotNull();
    List<String> readme = Files.readAllLines(root.resolve("README.md"));
    List<String> code = new ArrayList<>();
    for (String line :
        Files.readAllLines(
            root.resolve("examples/src/main/java/dev/distill/examples/ReadmeExamples.java"))) {
      code.add(line.strip());
    }
    int blocks = 0;
    boolean inJava = false;
    int at = 0;
    for (String line : readme) {
      if (line.strip().equals("```java")) {
        inJava = true;
        blocks++;
        continue;
      }
      if (inJava && line.strip().equals("```")) {
        inJava = false;
        continue;
      }
      if (inJava && !line.isBlank()) {
        String want = line.strip();
        int found = -1;
        for (int i = at; i < code.size(); i++) {
          if (code.get(i).equals(want)) {
            found = i;
            break;
          }
        }
        assertThat(found)
            .as("README line not found (in order) in ReadmeExamples.java: %s", want)
            .isGreaterThanOrEqualTo(0);
        at = found + 1;
      }
    }
    assertThat(blocks).as("README Java blocks").isGreaterThanOrEqualTo(3);
  }
}
