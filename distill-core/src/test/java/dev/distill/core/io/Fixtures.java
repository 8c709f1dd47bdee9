package dev.distill.core.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared golden fixtures: the system property {@code distill.fixtures} (set by the
 * parent pom), else {@code /work/shared/fixtures}; fails (never skips) when neither exists.
 */
public final class Fixtures {
  /** The fallback fixture root. */
  public static final Path FALLBACK = Path.of("/work/shared/fixtures");

  private Fixtures() {}

  /**
   * The fixture root.
   *
   * @return an existing directory
   * @throws AssertionError if no fixture root exists
   */
  public static Path root() {
    String property = System.getProperty("distill.fixtures");
    if (property != null && !property.isBlank() && Files.isDirectory(Path.of(property))) {
      return Path.of(property);
    }
    if (Files.isDirectory(FALLBACK)) {
      return FALLBACK;
    }
    throw new AssertionError(
        "golden fixtures not found: -Ddistill.fixtures="
            + property
            + " is not a directory and neither is "
            + FALLBACK
            + " (the tests need the shared sdxl-tiny fixtures; see shared/fixtures/sdxl-tiny/cases/README.md)");
  }

  /**
   * A fixture folder, e.g. {@code sdxl-tiny}.
   *
   * @param name the folder name under the root
   * @return an existing directory
   * @throws AssertionError if it is missing
   */
  public static Path dir(String name) {
    Path p = root().resolve(name);
    if (!Files.isDirectory(p)) {
      throw new AssertionError("fixture folder " + p + " is missing");
    }
    return p;
  }
}
