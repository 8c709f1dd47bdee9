package dev.distill.examples;

import dev.distill.core.io.DistilledSetIO;
import dev.distill.spark.DatasetSources;
import dev.distill.spark.MethodSpec;
import dev.distill.spark.SamplerFactories;
import dev.distill.spark.SparkDistill;
import dev.distill.spark.SparkDistillResult;
import dev.distill.spark.SparkRecipe;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Distils the bundled Fashion-MNIST slice with the built-in model as a Spark job (distill-spark).
 *
 * <p>Behind {@code ./distill spark-quickstart --out DIR [--master URL]}; {@code local[2]} by
 * default. The JVM needs Spark's {@code --add-opens} flags on Java 17 (the launcher passes them).
 *
 * @since 0.1.0
 */
public final class SparkQuickStart {
  private SparkQuickStart() {}

  /**
   * The settings.
   *
   * @param out the output folder: a path every executor sees, or a Hadoop {@code FileSystem} URI
   * @param master the Spark master URL
   * @param method {@code d4m}, {@code mode-guided} or {@code random-real}
   * @param ipc images per class
   * @param numSteps sampler steps
   * @param seed the run seed
   * @param classesPerTask classes per Spark task
   */
  public record Options(
      String out,
      String master,
      String method,
      int ipc,
      int numSteps,
      long seed,
      int classesPerTask) {}

  /**
   * Runs (or resumes) the job and prints its summary.
   *
   * @param o the settings
   * @return the result
   * @throws Exception if the job fails
   */
  public static SparkDistillResult run(Options o) throws Exception {
    SparkRecipe recipe =
        SparkRecipe.builder(
                MethodSpec.of(o.method()),
                SamplerFactories.builtinFashionMnist(),
                DatasetSources.fashionMnist(),
                o.out())
            .ipc(o.ipc())
            .numSteps(o.numSteps())
            .guidanceScale(2.0)
            .seed(o.seed())
            .classesPerTask(o.classesPerTask())
            .build();
    SparkConf conf =
        new SparkConf()
            .setAppName("distill spark-quickstart")
            .setIfMissing("spark.master", o.master())
            .setIfMissing("spark.ui.enabled", "false");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      SparkDistillResult r = SparkDistill.of(sc).run(recipe);
      System.out.printf(
          "%s: %d classes generated, %d skipped (already committed), %d retried in %.1f s;"
              + " the set is %s (%s)%n",
          sc.master(),
          r.generated().size(),
          r.skipped().size(),
          r.retried().size(),
          r.elapsed().toMillis() / 1000.0,
          r.output(),
          DistilledSetIO.MANIFEST);
      return r;
    }
  }
}
