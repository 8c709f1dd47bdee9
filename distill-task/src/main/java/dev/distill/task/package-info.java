/**
 * distill-task: task-specific proxies (classification now; detection and segmentation planned), the
 * UniDD task-loss guidance term, and task metrics.
 *
 * @since 0.1.0
 */
package dev.distill.task;
