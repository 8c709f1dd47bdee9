/**
 * distill-spark: one distillation as an Apache Spark job.
 *
 * <p>{@link dev.distill.spark.SparkDistill} runs a {@link dev.distill.spark.SparkRecipe} (a
 * serializable description of a {@link dev.distill.core.pipeline.Distill} run) with one Spark task
 * per class (or group of classes): executors build their sampler once per JVM, commit each class
 * atomically into the output folder (a shared path or a Hadoop {@code FileSystem} URI) and the
 * driver assembles the ImageFolder + manifest.
 *
 * @since 0.1.0
 */
package dev.distill.spark;
