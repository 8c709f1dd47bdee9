package dev.distill.sdxl.text;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the golden fixture folder; fails (never skips) when it is absent. */
final class Fixtures {
  private Fixtures() {}

  /** The {@code sdxl-tiny} fixture folder. */
  static Path sdxlTiny() {
    String property = System.getProperty("distill.fixtures");
    Path root =
        property != null && Files.isDirectory(Path.of(property))
            ? Path.of(property)
            : Path.of("/work/shared/fixtures");
    Path dir = root.resolve("sdxl-tiny");
    if (!Files.isDirectory(dir.resolve("cases"))) {
      fail(
          "golden fixtures not found: expected "
              + dir
              + "/cases (set -Ddistill.fixtures=<folder holding sdxl-tiny>; was "
              + property
              + ")");
    }
    return dir;
  }
}
