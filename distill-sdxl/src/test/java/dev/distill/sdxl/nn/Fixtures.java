package dev.distill.sdxl.nn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Locates the golden fixtures: the folder named by the system property {@code distill.fixtures}
 * (set by the parent pom), else {@code /work/shared/fixtures}. Fails (never skips) when neither
 * holds the requested fixture.
 */
public final class Fixtures {
  private static final Path FALLBACK = Path.of("/work/shared/fixtures");

  private Fixtures() {}

  /**
   * Limits LibTorch to one intra-op thread. The test machine runs many JVMs on two cores; with more
   * threads OpenMP's spinning makes small models 10-100x slower.
   */
  public static void useOneThread() {
    org.bytedeco.pytorch.global.torch.set_num_threads(1);
  }

  /**
   * The {@code sdxl-tiny} fixture folder.
   *
   * @return the folder
   * @throws AssertionError naming every place looked at when it is not found
   */
  public static Path sdxlTiny() {
    return find("sdxl-tiny");
  }

  /**
   * A fixture folder by name.
   *
   * @param name the folder name under the fixtures root
   * @return the folder
   * @throws AssertionError naming every place looked at when it is not found
   */
  public static Path find(String name) {
    List<Path> tried = new ArrayList<>();
    String property = System.getProperty("distill.fixtures");
    if (property != null && !property.isBlank()) {
      Path p = Path.of(property).resolve(name);
      if (Files.isDirectory(p)) {
        return p;
      }
      tried.add(p);
    }
    Path p = FALLBACK.resolve(name);
    if (Files.isDirectory(p)) {
      return p;
    }
    tried.add(p);
    throw new AssertionError(
        "golden fixture '"
            + name
            + "' must exist but was not found at "
            + tried
            + " (set -Ddistill.fixtures=<folder holding "
            + name
            + ">)");
  }
}
