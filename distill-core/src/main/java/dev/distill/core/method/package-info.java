/**
 * Distillation methods: the baselines (random real subset, herding) and the generative methods D4M
 * and Mode-Guided (MGD³), and {@link dev.distill.core.method.MixedReal}, which fills a fraction of
 * any method's IPC with selected real images. UniDD lives in {@code distill-task} because it needs
 * a task proxy.
 *
 * @since 0.1.0
 */
package dev.distill.core.method;
