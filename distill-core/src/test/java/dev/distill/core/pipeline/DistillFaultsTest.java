package dev.distill.core.pipeline;

import static dev.distill.core.pipeline.FaultRuns.assertSameOutput;
import static dev.distill.core.pipeline.FaultRuns.leftovers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.data.LabeledImages;
import dev.distill.core.io.DistilledSetIO;
import dev.distill.core.io.WriteFaults;
import dev.distill.core.tensor.SeededCases;
import dev.distill.core.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A distillation killed at seeded points (between sampler batches, at a class's start, after a
 * part's rename, before the assembly, part-way through any file write: a part, a PNG of the
 * assembly, the manifest) resumes to the same files as an uninterrupted run, byte for byte except
 * the manifest's {@code created_at}; leftovers of a hard kill (hidden temporaries) are cleaned.
 */
class DistillFaultsTest {
  /** A part, the 12 PNGs and the manifest: the writes of one uninterrupted run. */
  private static final int WRITES = 4 + 12 + 1;

  @TempDir static Path shared;
  static Path reference;
  @TempDir Path tmp;
  private TensorScope scope;
  private LabeledImages data;

  @BeforeAll
  static void uninterruptedRun() throws IOException {
    reference = shared.resolve("reference");
    try (TensorScope s = TensorScope.open();
        LabeledImages d = FaultRuns.data();
        WriteFaults count = WriteFaults.count();
        DistillResult r = FaultRuns.distill(d).run(reference)) {
      assertThat(r.set().size()).isEqualTo(12);
      assertThat(r.dropped()).containsKey("BRIGHT"); // the filter is exercised
      assertThat(count.destinations()).hasSize(WRITES);
    }
  }

  @BeforeEach
  void setUp() {
    scope = TensorScope.open();
    data = FaultRuns.data();
  }

  @AfterEach
  void tearDown() {
    data.close();
    scope.close();
  }

  static Stream<Long> seeds() {
    return SeededCases.seeds(50);
  }

  /** A kill point drawn from a seed; the seed also picks the category, so all are covered. */
  record KillPoint(String kind, FaultInjector.Point point, int classId, int index, long bytes) {
    static KillPoint of(long seed) {
      Random r = new Random(seed);
      int category = (int) Math.floorMod(seed, 6);
      return switch (category) {
        case 0 ->
            new KillPoint("point", FaultInjector.Point.BATCH_DONE, r.nextInt(4), r.nextInt(2), 0);
        case 1 -> new KillPoint("point", FaultInjector.Point.CLASS_STARTED, r.nextInt(4), 0, 0);
        case 2 -> new KillPoint("point", FaultInjector.Point.PART_WRITTEN, r.nextInt(4), 0, 0);
        case 3 -> new KillPoint("write", null, r.nextInt(4), 0, r.nextInt(2000)); // a part
        case 4 -> new KillPoint("write", null, 4 + r.nextInt(13), 0, r.nextInt(300)); // assembly
        default ->
            r.nextBoolean()
                ? new KillPoint("point", FaultInjector.Point.ASSEMBLY_STARTED, -1, 0, 0)
                : new KillPoint("write", null, WRITES - 1, 0, r.nextInt(3000)); // the manifest
      };
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void aRunKilledAtASeededPointResumesToTheUninterruptedOutput(long seed) throws IOException {
    KillPoint kill = KillPoint.of(seed);
    Path out = tmp.resolve("out");
    Distill killed = FaultRuns.distill(data);
    if (kill.kind().equals("point")) {
      killed.faults(
          (p, c, i) -> {
            if (p == kill.point() && c == kill.classId() && i == kill.index()) {
              throw new IllegalStateException("simulated kill at " + kill);
            }
          });
      assertThatThrownBy(() -> killed.run(out).close()).hasMessageContaining("simulated kill");
    } else {
      try (WriteFaults f = WriteFaults.failWrite(kill.classId(), kill.bytes(), "simulated kill")) {
        assertThatThrownBy(() -> killed.run(out).close())
            .isInstanceOf(IOException.class)
            .hasMessageContaining("simulated kill");
      }
    }
    assertThat(out.resolve(DistilledSetIO.MANIFEST)).as(kill.toString()).doesNotExist();
    Path parts = Distill.partsDir(out.toAbsolutePath());
    int finished;
    try (Stream<Path> s = Files.list(parts)) {
      finished = (int) s.filter(p -> p.toString().endsWith(".safetensors")).count();
    }
    plantHardKillLeftovers(out);

    try (DistillResult r = FaultRuns.distill(data).run(out)) {
      assertThat(r.resumedClasses()).as(kill.toString()).isEqualTo(finished);
    }
    assertSameOutput(out, reference);
    assertThat(leftovers(out)).as(kill.toString()).isEmpty();
  }

  /** What a kill -9 leaves and an exception does not: a half part, a half assembled folder. */
  private static void plantHardKillLeftovers(Path out) throws IOException {
    Path parts = Distill.partsDir(out.toAbsolutePath());
    for (int c = 0; c < 4; c++) {
      if (!Files.exists(parts.resolve(String.format("class-%04d.safetensors", c)))) {
        Files.write(
            parts.resolve(String.format(".class-%04d.safetensors.123%d.tmp", c, c)),
            new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{'});
      }
    }
    Path half = out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".tmp-4242");
    Files.createDirectories(half.resolve("a"));
    Files.write(half.resolve("a").resolve("00000.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
  }
}
