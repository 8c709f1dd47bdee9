/**
 * Task-driven distillation methods (UniDD).
 *
 * @since 0.1.0
 */
package dev.distill.task.method;
