/**
 * The fluent distillation pipeline ({@link dev.distill.core.pipeline.Distill}) and the method
 * contract ({@link dev.distill.core.pipeline.DistillMethod}): per-class generation with seeds
 * derived from (run seed, class, index), filters, atomic per-class results and resume.
 *
 * @since 0.1.0
 */
package dev.distill.core.pipeline;
