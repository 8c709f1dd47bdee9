/** Executor-side helpers of distill-spark (per-JVM caches, the class task); not public API. */
package dev.distill.spark.internal;
