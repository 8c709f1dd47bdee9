/**
 * distill-bench.
 *
 * @since 0.1.0
 */
package dev.distill.bench;
