/**
 * Task-driven guidance (UniDD): the gradient of a task loss on the decoded prediction x̂0 steers
 * sampling.
 *
 * @since 0.1.0
 */
package dev.distill.task.guidance;
