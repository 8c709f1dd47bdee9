/**
 * Distillation methods: the baselines (random real subset, herding) and the generative methods
 * D4M and Mode-Guided (MGD³). UniDD lives in {@code distill-task} because it needs a task proxy.
 *
 * @since 0.1.0
 */
package dev.distill.core.method;
