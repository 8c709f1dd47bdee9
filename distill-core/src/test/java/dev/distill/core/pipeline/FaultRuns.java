package dev.distill.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.ProgressListener;
import dev.distill.api.SampleResult;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import dev.distill.core.io.DistilledSetIO;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The one small distillation the fault tests kill, lock and starve (in this JVM and in child JVMs
 * through {@link KillableRun}): 4 classes, 3 images per class in batches of 2, a filter that drops
 * some candidates, so a class takes 2–3 sampler batches and the manifest records drop counts.
 */
final class FaultRuns {
  static final List<String> NAMES = List.of("a", "b", "c", "d");

  private FaultRuns() {}

  /** 4 classes x 12 images of 1x8x8 (in the caller's scope). */
  static LabeledImages data() {
    int n = 48;
    Tensor images = torch.tanh(Rng.normal(5, n, 1, 8, 8));
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 4;
    }
    return LabeledImages.copyOf(images, Tensors.fromInts(labels), NAMES);
  }

  /** Drops candidates whose first pixel is bright: deterministic per image, so resumable. */
  static SampleFilter brightFilter() {
    return new SampleFilter() {
      @Override
      public String name() {
        return "bright";
      }

      @Override
      public String[] dropReasons(int classId, Tensor candidates, Tensor kept) {
        String[] r = new String[(int) candidates.size(0)];
        for (int i = 0; i < r.length; i++) {
          double first = candidates.select(0, i).flatten(0, -1).select(0, 0).item_double();
          r[i] = first > 0.5 ? "BRIGHT" : null;
        }
        return r;
      }
    };
  }

  /** Plain txt2img through the run's sampler: the pipeline's own work, no clustering. */
  static DistillMethod txt2img() {
    return new DistillMethod() {
      @Override
      public String name() {
        return "txt2img";
      }

      @Override
      public Map<String, String> config() {
        return Map.of();
      }

      @Override
      public boolean needsSampler() {
        return true;
      }

      @Override
      public ClassGenerator prepare(ClassContext ctx) {
        return (first, count) -> {
          try (SampleResult r =
              ctx.requireSampler()
                  .sample(ctx.request(first, count).build(), ProgressListener.NONE)) {
            return r.images().clone(); // into the caller's scope; the result frees its own
          }
        };
      }
    };
  }

  static Distill distill(LabeledImages data) {
    return Distill.from(data)
        .method(txt2img())
        .sampler(new FakeSampler(1, 8, 8))
        .ipc(3)
        .seed(11)
        .numSteps(5)
        .batchSize(2)
        .filter(brightFilter());
  }

  /**
   * Every file under {@code dir} (relative path → bytes), the manifest with its {@code created_at}
   * masked (the only field that records when, not what).
   */
  static Map<String, byte[]> tree(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        byte[] b = Files.readAllBytes(p);
        if (p.getFileName().toString().equals(DistilledSetIO.MANIFEST)) {
          String s = new String(b, StandardCharsets.UTF_8);
          String masked = s.replaceAll("\"created_at\" : \"[^\"]*\"", "\"created_at\" : \"*\"");
          assertThat(masked).as("created_at is masked").isNotEqualTo(s);
          b = masked.getBytes(StandardCharsets.UTF_8);
        }
        files.put(dir.relativize(p).toString(), b);
      }
    }
    return files;
  }

  /** Asserts two output folders hold the same files with the same bytes (created_at masked). */
  static void assertSameOutput(Path actual, Path expected) throws IOException {
    Map<String, byte[]> a = tree(actual);
    Map<String, byte[]> e = tree(expected);
    assertThat(a.keySet()).containsExactlyElementsOf(e.keySet());
    for (String k : e.keySet()) {
      assertThat(a.get(k)).as(k).isEqualTo(e.get(k));
    }
  }

  /** Hidden temporaries of killed writes of {@code out} next to it and in its parts folder. */
  static List<Path> leftovers(Path out) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path dir :
        List.of(out.toAbsolutePath().getParent(), Distill.partsDir(out.toAbsolutePath()))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> s = Files.list(dir)) {
        String name = java.util.regex.Pattern.quote(out.getFileName().toString());
        s.filter(
                p ->
                    p.getFileName()
                        .toString()
                        .matches(
                            "\\.("
                                + name
                                + "|class-\\d+\\.safetensors)"
                                + "(\\.\\d+\\.tmp|\\.tmp-\\d+)"))
            .forEach(found::add);
      }
    }
    return found;
  }
}
