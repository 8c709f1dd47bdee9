package dev.distill.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.DistilledSet;
import dev.distill.core.data.Dataset;
import dev.distill.core.io.DistilledSetIO;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillResult;
import dev.distill.core.tensor.Tensors;
import dev.distill.spark.internal.ExecutorCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Shared recipe, Spark context and comparisons of the distill-spark tests. */
final class SparkTestSupport {
  static final TinyFashionMnist DATA = new TinyFashionMnist(4, 20);

  private SparkTestSupport() {}

  static JavaSparkContext context(String master) {
    return new JavaSparkContext(conf(master));
  }

  static SparkConf conf(String master) {
    return new SparkConf()
        .setMaster(master)
        .setAppName("distill-spark-test")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1");
  }

  /** D4M on the built-in model: 4 classes × IPC 2, 4 steps (tiny). */
  static SparkRecipe.Builder recipe(Path out) {
    return recipe(out.toString());
  }

  /** {@link #recipe(Path)} with any output: a path or a URI. */
  static SparkRecipe.Builder recipe(String output) {
    return SparkRecipe.builder(
            MethodSpec.of("d4m").with("restarts", "1"),
            SamplerFactories.builtinFashionMnist(),
            DATA,
            output)
        .ipc(2)
        .seed(7)
        .numSteps(4)
        .guidanceScale(2.0)
        .device(DeviceChoice.AUTO);
  }

  /** The same run in one process with the plain fluent API. */
  static Path singleProcess(Path out) throws IOException {
    Dataset data = ExecutorCache.dataset(DATA);
    try (BuiltinModel model = BuiltinModel.fashionMnist();
        DistillResult r =
            Distill.from(data)
                .method(dev.distill.core.method.D4M.defaults().withRestarts(1))
                .sampler(model.sampler())
                .ipc(2)
                .seed(7)
                .numSteps(4)
                .guidanceScale(2.0)
                .run(out)) {
      assertThat(r.set().size()).isEqualTo(8);
    }
    return out;
  }

  /** Asserts two finished folders hold the same images, labels and PNG bytes. */
  static void assertSameSet(Path actual, Path expected) throws IOException {
    try (DistilledSet a = DistilledSetIO.load(actual);
        DistilledSet e = DistilledSetIO.load(expected)) {
      assertThat(a.labels()).isEqualTo(e.labels());
      assertThat(Tensors.shape(a.images())).isEqualTo(Tensors.shape(e.images()));
      assertThat(Tensors.toFloats(a.images().contiguous()))
          .containsExactly(Tensors.toFloats(e.images().contiguous()));
    }
    List<Path> pa = pngs(actual);
    List<Path> pe = pngs(expected);
    assertThat(pa.stream().map(p -> actual.relativize(p).toString()).toList())
        .isEqualTo(pe.stream().map(p -> expected.relativize(p).toString()).toList())
        .hasSize(8);
    for (int i = 0; i < pa.size(); i++) {
      assertThat(Files.readAllBytes(pa.get(i)))
          .as(pa.get(i).toString())
          .isEqualTo(Files.readAllBytes(pe.get(i)));
    }
  }

  static List<Path> pngs(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
  }

  static List<Integer> committed(Path out) {
    return java.util.stream.IntStream.range(0, DATA.classes())
        .filter(c -> Files.exists(SparkDistill.partFile(out, c)))
        .boxed()
        .toList();
  }
}
