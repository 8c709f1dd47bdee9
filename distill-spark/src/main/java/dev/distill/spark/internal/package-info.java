/**
 * Helpers of distill-spark (per-JVM caches, the class task, Hadoop {@code FileSystem} output and
 * its local staging); not public API.
 */
package dev.distill.spark.internal;
