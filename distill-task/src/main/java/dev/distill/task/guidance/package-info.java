/**
 * Task-driven guidance (UniDD): the gradient of a task loss on the decoded prediction x̂0 steers
 * sampling: {@link dev.distill.task.guidance.TaskLossGuidance} for classification, and its {@code
 * segmentation}/{@code detection} factories ({@link
 * dev.distill.task.guidance.AnnotationTaskGuidance}) against target annotations.
 *
 * @since 0.1.0
 */
package dev.distill.task.guidance;
