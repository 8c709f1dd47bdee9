package dev.distill.core.scheduler;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the golden fixtures: {@code -Ddistill.fixtures}, else /work/shared/fixtures. */
final class SchedulerFixtures {
  private static final Path FALLBACK = Paths.get("/work/shared/fixtures");

  private SchedulerFixtures() {}

  /** {@code <root>/sdxl-tiny/cases/schedulers.safetensors}; fails the test if it is missing. */
  static Path schedulersFile() {
    Path relative = Paths.get("sdxl-tiny", "cases", "schedulers.safetensors");
    String property = System.getProperty("distill.fixtures");
    if (property != null && Files.isRegularFile(Paths.get(property).resolve(relative))) {
      return Paths.get(property).resolve(relative);
    }
    if (Files.isRegularFile(FALLBACK.resolve(relative))) {
      return FALLBACK.resolve(relative);
    }
    return fail(
        "golden fixture %s not found under -Ddistill.fixtures=%s nor under %s",
        relative, property, FALLBACK);
  }

  /** {@code <root>/sdxl-tiny/scheduler/scheduler_config.json}. */
  static Path sdxlSchedulerConfig() {
    return schedulersFile().getParent().getParent().resolve("scheduler/scheduler_config.json");
  }
}
