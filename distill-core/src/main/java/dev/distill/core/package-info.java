/**
 * The generic machinery of distill: tensors and files, datasets, schedulers, clustering, guidance
 * terms, filters, students and evaluators, the built-in small diffusion model and the fluent
 * pipeline.
 *
 * @since 0.1.0
 */
package dev.distill.core;
